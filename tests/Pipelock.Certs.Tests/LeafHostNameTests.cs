namespace Pipelock.Certs.Tests;

public sealed class LeafHostNameTests
{
    // input, normalised name, is IP
    public static TheoryData<string, string, bool> Valid => new()
    {
        { "example.com", "example.com", false },
        { "API.Example.COM", "api.example.com", false },
        { "example.com.", "example.com", false },            // root dot dropped
        { "a_b.example", "a_b.example", false },             // underscore seen in real SNI
        { "Bücher.Example", "xn--bcher-kva.example", false }, // IDN -> punycode, lower case
        { "BÜCHER.example", "xn--bcher-kva.example", false }, // non-ASCII upper case too
        { "例え.テスト", "xn--r8jz45g.xn--zckzah", false },
        { "xn--bcher-kva.example", "xn--bcher-kva.example", false },
        { "1.2.3", "1.2.3", false },                          // not a dotted quad: a (numeric) DNS name
        { "192.0.2.7", "192.0.2.7", true },
        { "0.0.0.0", "0.0.0.0", true },
        { "[2001:DB8::1]", "2001:db8::1", true },
        { "2001:db8:0:0::1", "2001:db8::1", true },
        { "::1", "::1", true },
        { new string('a', 63) + ".example", new string('a', 63) + ".example", false },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Names_normalise_to_one_spelling(string input, string expected, bool isIp)
    {
        var n = LeafHostName.Parse(input);
        Assert.Equal(expected, n.Name);
        Assert.Equal(isIp, n.Address is not null);
    }

    public static TheoryData<string> Invalid => new()
    {
        "",
        "*.example.com",                  // wildcards are not minted
        "a.*.example",
        "a..b",
        ".example.com",
        "exa mple.com",
        "example.com:443",                // ports are the caller's to strip
        "a/b",
        "a\u0000b",
        "a\r\nb",
        "fe80::1%eth0",                   // scope ids name an interface, not a server
        "300.1.1.1",
        "010.0.0.1",                      // octal in inet_aton; refused rather than guessed
        new string('a', 64) + ".example",
        string.Join('.', Enumerable.Repeat(new string('a', 50), 5)) + ".example", // > 253
        "[]",
        "a\u200bb.example",              // zero-width space: invisible, never a name a client validates
        "a\u00a0b.example",              // no-break space
        "bü\u202echer.example",          // bidi override
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Unmintable_names_throw_ArgumentException(string input)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => LeafHostName.Parse(input));
        Assert.DoesNotContain('\0', e.Message); // Network-supplied control characters stay out of messages (and logs).
        Assert.DoesNotContain('\n', e.Message);
    }
}
