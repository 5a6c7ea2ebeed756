using System.Net;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

/// <summary>
/// Transparent flows: the client already chose the address. The SSRF layer judges that address (never a fresh DNS
/// answer for the host), and the result carries it back for the proxy to dial.
/// </summary>
public sealed class UrlScannerDialledTests
{
    private static UrlScanner Scanner(UrlScannerOptions? o, FakeResolver resolver) => new(o ?? UrlScannerOptions.Default, new FakeDlpScanner(), resolver);

    private static string? Blocker(UrlScanResult r) => r.Verdict.Findings.FirstOrDefault(f => f.Action == ScanAction.Block)?.Scanner;

    public static TheoryData<string, string, string?> Cases() => new()
    {
        // host, dialled address, expected blocking scanner (null = allowed)
        { "api.example.test", "93.184.216.34", null },
        { "api.example.test", "2606:2800:220:1::1", null },
        { "api.example.test", "10.1.2.3", ScannerNames.Ssrf },
        { "api.example.test", "169.254.169.254", ScannerNames.Ssrf },
        { "api.example.test", "::ffff:10.0.0.5", ScannerNames.Ssrf },
        { "internal.corp.test", "10.1.2.3", null },          // trusted_domains below
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DialledAddress_IsWhatSsrfJudges_AndNoDnsHappens(string host, string ip, string? blocker)
    {
        var resolver = new FakeResolver().Add(host, "93.184.216.34");   // a DNS answer that must not be used
        var scanner = Scanner(UrlScannerOptions.Default with { TrustedDomains = ["internal.corp.test"] }, resolver);

        var r = await scanner.ScanAsync($"https://{host}/v1/x", [IPAddress.Parse(ip)]);

        Assert.Equal(blocker, Blocker(r));
        Assert.Empty(resolver.Queries);
        if (blocker is null) Assert.Equal(IpLiteral.Normalize(IPAddress.Parse(ip)), Assert.Single(r.Addresses));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("93.184.216.34", false)]
    public async Task SsrfOff_CoreRangesStillApplyToTheDialledAddress(string ip, bool blocked)
    {
        var scanner = Scanner(UrlScannerOptions.Default with { SsrfEnabled = false }, new FakeResolver());

        var r = await scanner.ScanAsync("https://api.example.test/", [IPAddress.Parse(ip)]);

        Assert.Equal(blocked, Blocker(r) == ScannerNames.CoreSsrf);
    }

    [Fact]
    public async Task UrlLayersStillRun_OnTheHostName()
    {
        var scanner = Scanner(UrlScannerOptions.Default with { Blocklist = ["*.pastebin.com"] }, new FakeResolver());

        var r = await scanner.ScanAsync("https://x.pastebin.com/raw/1", [IPAddress.Parse("93.184.216.34")]);

        Assert.Equal(ScannerNames.Blocklist, Blocker(r));
    }
}
