using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

public sealed class UrlScannerTests
{
    private static UrlScanner Scanner(UrlScannerOptions? o = null, FakeDlpScanner? dlp = null, IHostResolver? resolver = null, TimeProvider? time = null) =>
        new(o ?? UrlScannerOptions.Default, dlp ?? new FakeDlpScanner(), resolver, time);

    private static string FirstBlocker(Verdict v) => v.Findings.First(f => !f.Informational && f.Action == ScanAction.Block).Scanner;

    private static string B64Url(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static TheoryData<string, string> SimulateScenarios() => new()
    {
        // (1) AWS key in ?key=, (5) sk-proj in URL, (6) WIF in URL.
        { $"https://example.com/api?key={TestSecrets.AwsDocExample()}", ScannerNames.Dlp },
        { $"https://example.com/api?key={TestSecrets.Aws()}", ScannerNames.Dlp },
        { $"https://example.com/v1/{TestSecrets.OpenAiProject()}", ScannerNames.Dlp },
        { $"https://example.com/?w={TestSecrets.Wif()}", ScannerNames.Dlp },
        // (17) %41-encoded AWS key in path, (18) CRLF, (20) traversal.
        { "https://example.com/%41" + TestSecrets.AwsDocExample()[1..], ScannerNames.Dlp },
        { "https://example.com/path%0d%0aSet-Cookie:%20x=y", ScannerNames.CrlfInjection },
        { "https://example.com/../../../etc/passwd", ScannerNames.PathTraversal },
        // SSRF literals, alternative notations included.
        { "http://10.0.0.1/", ScannerNames.Ssrf },
        { "http://169.254.169.254/latest/meta-data/", ScannerNames.Ssrf },
        { "http://[::ffff:127.0.0.1]/", ScannerNames.Ssrf },
        { "http://169.254.42.42/", ScannerNames.Ssrf },
        { "http://2130706433/", ScannerNames.Ssrf },
        { "http://0x7f.1/", ScannerNames.Ssrf },
        { "http://0177.0.0.1/", ScannerNames.Ssrf },
        { "http://[fe80::1%25eth0]/", ScannerNames.Ssrf },
    };

    [Theory]
    [MemberData(nameof(SimulateScenarios))]
    public void ScanStatic_SimulateScenario_BlockedWithExpectedLabel(string url, string scanner)
    {
        var v = Scanner().ScanStatic(url);
        Assert.Equal(scanner, FirstBlocker(v));
    }

    [Fact]
    public void ScanStatic_17000CharUrl_BlockedByLength()
    {
        var v = Scanner().ScanStatic("https://192.0.2.1/" + new string('a', 17_000));
        Assert.Equal(ScannerNames.Length, FirstBlocker(v));
    }

    [Theory]
    [InlineData("https://example.com/a/%2e%2e/x")]
    [InlineData("https://example.com/a/.%2E")]
    [InlineData("https://example.com/a%2f..%2fb")]
    [InlineData("https://example.com/a\\..\\b")]
    [InlineData("https://example.com/a/%252e%252e/b")]
    public void ScanStatic_EncodedTraversal_Blocked(string url) =>
        Assert.Equal(ScannerNames.PathTraversal, FirstBlocker(Scanner().ScanStatic(url)));

    [Theory]
    [InlineData("https://example.com/a%2e%2e/x")]
    [InlineData("https://example.com/a..b/c")]
    [InlineData("https://example.com/v1.2/file.tar.gz")]
    public void ScanStatic_DotsThatAreNotTraversal_Clean(string url) => Assert.True(Scanner().ScanStatic(url).IsClean);

    [Theory]
    [InlineData("https://example.com/a%0Ab")]
    [InlineData("https://example.com/a?x=%250d")]
    [InlineData("https://example.com/a%0d")]
    public void ScanStatic_EncodedCrlfVariants_Blocked(string url) =>
        Assert.Equal(ScannerNames.CrlfInjection, FirstBlocker(Scanner().ScanStatic(url)));

    [Fact]
    public void ScanStatic_CrlfOnlyInFragment_NotCrlf() =>
        Assert.True(Scanner().ScanStatic("https://example.com/a#x%0d%0a").IsClean);

    [Theory]
    [InlineData("ftp://example.com/", ScannerNames.Scheme)]
    [InlineData("file:///etc/passwd", ScannerNames.Scheme)]
    [InlineData("example.com/path", ScannerNames.Scheme)]
    [InlineData("http:///path", ScannerNames.Parser)]
    [InlineData("http://exa mple.com/", ScannerNames.Parser)]
    [InlineData("http://example.com:80x/", ScannerNames.Parser)]
    [InlineData("http://[::1/", ScannerNames.Parser)]
    [InlineData("http://example.com/%zz", ScannerNames.Parser)]
    [InlineData("http://ex%41mple.com/", ScannerNames.Parser)]
    [InlineData("http://us^er@example.com/", ScannerNames.Parser)]
    [InlineData(":foo", ScannerNames.Parser)]
    [InlineData("http://example.com/\u0000", ScannerNames.Parser)]
    public void ScanStatic_UnparsableOrBadScheme_Blocked(string url, string scanner) =>
        Assert.Equal(scanner, FirstBlocker(Scanner().ScanStatic(url)));

    [Theory]
    [InlineData("https://example.com:8443/a?b=%zz&c=1")]
    [InlineData("https://user:p%40ss@example.com/")]
    [InlineData("HTTPS://Example.COM/Path")]
    public void ScanStatic_GoAcceptsIt_Clean(string url) => Assert.True(Scanner().ScanStatic(url).IsClean);

    [Theory]
    [InlineData("https://pastebin.com/raw/x")]
    [InlineData("https://PASTEBIN.COM./raw/x")]
    [InlineData("https://www.PasteBin.com./x")]
    [InlineData("https://transfer.sh:443/x")]
    [InlineData("https://user@paste.ee/x")]
    [InlineData("https://ｐａｓｔｅｂｉｎ.com/x")]
    public void ScanStatic_BlocklistCaseAndDotTricks_Blocked(string url) =>
        Assert.Equal(ScannerNames.Blocklist, FirstBlocker(Scanner().ScanStatic(url)));

    [Fact]
    public void ScanStatic_NotPastebinLookalike_Clean() => Assert.True(Scanner().ScanStatic("https://notpastebin.com/x").IsClean);

    [Theory]
    [InlineData("https://api.anthropic.com/v1/messages", true)]
    [InlineData("https://github.com/org/repo", true)]
    [InlineData("https://example.com/", false)]
    public void ScanStatic_StrictMode_OnlyAllowlist(string url, bool allowed)
    {
        var v = Scanner(UrlScannerOptions.Default with { Mode = ScanMode.Strict }).ScanStatic(url);
        if (allowed) Assert.True(v.IsClean, v.ToString());
        else Assert.Equal(ScannerNames.Allowlist, FirstBlocker(v));
    }

    [Fact]
    public void ScanStatic_SsrfOff_CoreRangesStillApplyToLiterals()
    {
        var s = Scanner(UrlScannerOptions.Default with { SsrfEnabled = false });
        Assert.Equal(ScannerNames.CoreSsrf, FirstBlocker(s.ScanStatic("http://127.0.0.1/")));
        Assert.True(s.ScanStatic("http://224.0.0.1/").IsClean); // multicast is not a core range
    }

    [Fact]
    public void ScanStatic_Base64SecretInSubdomain_Dlp()
    {
        var v = Scanner().ScanStatic($"https://{B64Url(TestSecrets.Aws())}.evil.com/");
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(v));
        Assert.Contains(v.Findings, f => f.Encoding == "base64");
    }

    [Fact]
    public void ScanStatic_Base64HelloSubdomain_Clean() =>
        // aGVsbG8 = "hello": decodable but no secret, and 7 chars is below the subdomain-entropy minimum.
        Assert.True(Scanner().ScanStatic("https://aGVsbG8.evil.com/").IsClean);

    [Fact]
    public void ScanStatic_SecretSplitAcrossLabels_Dlp()
    {
        var key = TestSecrets.Anthropic();
        var host = $"{key[..14]}.{key[14..30]}.{key[30..]}.evil.com";
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic($"https://{host}/")));
    }

    [Fact]
    public void ScanStatic_HighEntropyLabel_SubdomainEntropy()
    {
        var chars = "abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray();
        System.Security.Cryptography.RandomNumberGenerator.Shuffle(chars.AsSpan());
        var label = new string(chars, 0, 32);
        Assert.Equal(ScannerNames.SubdomainEntropy, FirstBlocker(Scanner().ScanStatic($"https://{label}.tunnel.evil.com/")));
    }

    [Fact]
    public void ScanStatic_HighEntropyLabelOnExcludedHost_Clean()
    {
        var o = UrlScannerOptions.Default with { SubdomainEntropyExclusions = ["*.proxy.runpod.net"] };
        Assert.True(Scanner(o).ScanStatic("https://k3j9x8q2m7v1b4n6zcdfghwy.proxy.runpod.net/").IsClean);
    }

    [Fact]
    public void ScanStatic_PathSplitSecret_Dlp()
    {
        var key = TestSecrets.Anthropic();
        var path = string.Join('/', key[..3], key[3..7], key[7..13], key[13..30], key[30..]);
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic($"https://example.com/{path}")));
    }

    [Fact]
    public void ScanStatic_FieldSplitSecret_Dlp()
    {
        var key = TestSecrets.Anthropic();
        var url = $"https://example.com/?a={key[..3]}&b={key[3..7]}&c={key[7..13]}&d={key[13..]}";
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic(url)));
    }

    [Fact]
    public void ScanStatic_FieldSplitWithJunkBetween_DlpViaSubsequence()
    {
        var key = TestSecrets.Anthropic();
        var url = $"https://example.com/?a={key[..7]}&x=junk&y=more&b={key[7..]}";
        var v = Scanner().ScanStatic(url);
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(v));
        Assert.Contains(v.Findings, f => f.Encoding == "split");
    }

    [Fact]
    public void ScanStatic_MultiLayerEncodedSecret_Dlp()
    {
        var key = TestSecrets.Aws();
        var enc = Uri.EscapeDataString(Uri.EscapeDataString(Uri.EscapeDataString(key[..4]))) + key[4..];
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic($"https://example.com/?q={enc}")));
    }

    [Fact]
    public void ScanStatic_StrayBadEscapeDoesNotHideEncodedSecret_Dlp()
    {
        var key = TestSecrets.Aws();
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic($"https://example.com/?q=%25{"41"}{key[1..]}&z=%zz")));
    }

    [Theory]
    [InlineData("hex")]
    [InlineData("base64")]
    [InlineData("base32")]
    public void ScanStatic_EncodedSecretInQueryValue_DlpWithEncoding(string encoding)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(TestSecrets.Aws());
        var token = encoding switch
        {
            "hex" => Convert.ToHexStringLower(bytes),
            "base64" => Uri.EscapeDataString(Convert.ToBase64String(bytes)),
            _ => Base32(bytes),
        };
        var v = Scanner().ScanStatic($"https://example.com/?d={token}");
        Assert.Contains(v.Findings, f => f.Scanner == ScannerNames.Dlp && f.Encoding == encoding);
    }

    [Fact]
    public void ScanStatic_Base64WithEscapedPlus_PlusKeptAsData()
    {
        // "%2B" decodes to a literal '+' (base64 data); only the wire form's '+' means space.
        // 0xFB 0xEF 0xBE encode to "++++": the token is guaranteed to carry '+'.
        var b64 = Convert.ToBase64String([0xFB, 0xEF, 0xBE, .. System.Text.Encoding.UTF8.GetBytes(" k=" + TestSecrets.Aws())]);
        Assert.StartsWith("++++", b64, StringComparison.Ordinal);
        var v = Scanner().ScanStatic($"https://example.com/?d={Uri.EscapeDataString(Uri.EscapeDataString(b64))}");
        Assert.Contains(v.Findings, f => f.Scanner == ScannerNames.Dlp && f.Encoding == "base64");
    }

    private static string Base32(byte[] data)
    {
        const string A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = buffer << 8 | b; bits += 8;
            while (bits >= 5) { sb.Append(A[buffer >> (bits - 5) & 31]); bits -= 5; }
        }
        if (bits > 0) sb.Append(A[buffer << (5 - bits) & 31]);
        while (sb.Length % 8 != 0) sb.Append('=');
        return sb.ToString();
    }

    [Fact]
    public void ScanStatic_SecretDeepIn10kParams_StillDlpBeforeLength()
    {
        var parts = Enumerable.Range(0, 10_000).Select(i => $"p{i}=v");
        var url = "https://example.com/?" + string.Join('&', parts) + "&k=" + TestSecrets.Aws();
        Assert.Equal(ScannerNames.Dlp, FirstBlocker(Scanner().ScanStatic(url)));
    }

    [Fact]
    public void ScanStatic_10kCleanParams_BlockedByLengthOnly()
    {
        var url = "https://example.com/?" + string.Join('&', Enumerable.Range(0, 10_000).Select(i => $"p{i}=v{i}"));
        var v = Scanner().ScanStatic(url);
        Assert.Equal(ScannerNames.Length, FirstBlocker(v));
    }

    public static TheoryData<string, bool> BenignUrls() => new()
    {
        // UUIDs (~3.9 bits/char) and hex digests (<= 4 bits/char) stay under the 4.5 threshold.
        { "https://api.example.com/v1/users/550e8400-e29b-41d4-a716-446655440000/orders?page=2&limit=50", true },
        { "https://cdn.example.com/assets/app.3f9a1c2b7d.js", true },
        { "https://objects.example.com/blobs/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true },
        { "https://www.google.com/search?q=how+to+parse+urls+in+go&hl=en", true },
        // Documented: base64 tokens and JWTs in query values exceed 4.5 bits/char and are flagged by entropy.
        { "https://example.com/cb?state=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A", false },
    };

    [Theory]
    [MemberData(nameof(BenignUrls))]
    public void ScanStatic_BenignUrls_EntropyBehaviourDocumented(string url, bool clean)
    {
        var v = Scanner().ScanStatic(url);
        if (clean) Assert.True(v.IsClean, v.ToString());
        else Assert.Equal(ScannerNames.Entropy, FirstBlocker(v));
    }

    [Fact]
    public void ScanStatic_CleanUrl_OnePatternCallNoTextScan()
    {
        var dlp = new FakeDlpScanner();
        Assert.True(Scanner(dlp: dlp).ScanStatic("https://api.example.com/v1/users/12345?page=2&limit=50").IsClean);
        Assert.Equal(1, dlp.MatchTargetCalls);
        Assert.Equal(0, dlp.ScanTextCalls);
    }

    [Fact]
    public void ScanStatic_TwelveWordPath_SeedPhraseTextScan()
    {
        var dlp = new FakeDlpScanner();
        var words = "abandon ability able about above absent absorb abstract absurd abuse access accident".Split(' ');
        Scanner(dlp: dlp).ScanStatic("https://example.com/" + string.Join('/', words));
        Assert.Equal(1, dlp.ScanTextCalls);
    }

    [Fact]
    public void ScanStatic_WarnOnlyPattern_InformationalNotBlocking()
    {
        var dlp = new FakeDlpScanner { WarnOnlyRule = "AWS Access ID" };
        var v = Scanner(dlp: dlp).ScanStatic($"https://example.com/?k={TestSecrets.Aws()}");
        Assert.False(v.IsClean);
        Assert.NotEqual(ScanAction.Block, v.Action);
    }

    [Fact]
    public void ScanStatic_Evidence_NeverContainsSecret()
    {
        var key = TestSecrets.Aws();
        var v = Scanner().ScanStatic($"https://example.com/?k={key}");
        Assert.All(v.Findings, f => Assert.DoesNotContain(key, f.Evidence, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    [InlineData("192.168.1.1/24")]
    [InlineData("192.168.1.1")]
    public void Ctor_BadIpAllowlist_Rejected(string cidr) =>
        Assert.Throws<ArgumentException>(() => Scanner(UrlScannerOptions.Default with { SsrfIpAllowlist = [cidr] }));

    [Fact]
    public void ScanStatic_IpAllowlist_ExemptsLiteral()
    {
        var s = Scanner(UrlScannerOptions.Default with { SsrfIpAllowlist = ["192.168.1.0/24"] });
        Assert.True(s.ScanStatic("http://192.168.1.10/").IsClean);
        Assert.Equal(ScannerNames.Ssrf, FirstBlocker(s.ScanStatic("http://192.168.2.10/")));
    }
}
