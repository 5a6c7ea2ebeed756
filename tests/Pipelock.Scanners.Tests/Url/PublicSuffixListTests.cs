using Pipelock.Scanners.Url;

namespace Pipelock.Scanners.Tests.Url;

public sealed class PublicSuffixListTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("x.evil.co.uk", "evil.co.uk")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("foo.bar.github.io", "bar.github.io")]
    [InlineData("localhost", "localhost")]
    [InlineData("a.b.unknowntld", "b.unknowntld")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("a.b.ck", "a.b.ck")]
    public void RegistrableDomain_PslRules_Expected(string host, string expected) =>
        Assert.Equal(expected, PublicSuffixList.Default.RegistrableDomain(host));

    [Fact]
    public void Default_EmbeddedList_Loaded() => Assert.True(PublicSuffixList.Default.RuleCount > 5000);

    [Theory]
    [InlineData("[::1]", "::1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("Sub.Example.COM.", "example.com")]
    public void UrlScanner_RegistrableDomain_NormalisesHost(string host, string expected) =>
        Assert.Equal(expected, new UrlScanner(UrlScannerOptions.Default, new FakeDlpScanner()).RegistrableDomain(host));
}
