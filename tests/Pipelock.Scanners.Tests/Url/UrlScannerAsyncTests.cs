using System.Net;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

public sealed class UrlScannerAsyncTests
{
    private const string Public = "93.184.216.34";

    private static UrlScanner Scanner(UrlScannerOptions? o, IHostResolver? r, TimeProvider? t = null) =>
        new(o ?? UrlScannerOptions.Default, new FakeDlpScanner(), r, t);

    private static string? Blocker(UrlScanResult r) => r.Verdict.Findings.FirstOrDefault(f => f.Action == ScanAction.Block)?.Scanner;

    [Fact]
    public async Task ScanAsync_PublicHost_ReturnsValidatedAddresses()
    {
        var r = await Scanner(null, new FakeResolver().Add("example.com", Public, "2606:2800:220:1::1")).ScanAsync("https://example.com/x");
        Assert.False(r.Blocked);
        Assert.Equal([IPAddress.Parse(Public), IPAddress.Parse("2606:2800:220:1::1")], r.Addresses);
        Assert.Equal(443, r.Port);
        Assert.Equal("example.com", r.Host);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("fe80::1")]
    public async Task ScanAsync_ResolvesInternal_Ssrf(string ip)
    {
        var r = await Scanner(null, new FakeResolver().Add("rebind.example", Public, ip)).ScanAsync("http://rebind.example/");
        Assert.Equal(ScannerNames.Ssrf, Blocker(r));
        Assert.Empty(r.Addresses);
    }

    [Fact]
    public async Task ScanAsync_DnsFailure_FailsClosed()
    {
        var r = await Scanner(null, new FakeResolver()).ScanAsync("https://nxdomain.example/");
        Assert.Equal(ScannerNames.Ssrf, Blocker(r));
    }

    [Fact]
    public async Task ScanAsync_NoResolver_FailsClosed() =>
        Assert.Equal(ScannerNames.Ssrf, Blocker(await Scanner(null, null).ScanAsync("https://example.com/")));

    [Fact]
    public async Task ScanAsync_Cancelled_Context()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var r = await Scanner(null, new FakeResolver().Add("example.com", Public)).ScanAsync("https://example.com/", cts.Token);
        Assert.Equal(ScannerNames.Context, Blocker(r));
    }

    [Fact]
    public async Task ScanAsync_CancelledDuringDns_Context()
    {
        using var cts = new CancellationTokenSource();
        var resolver = new FakeResolver
        {
            Override = async (_, ct) => { await cts.CancelAsync(); ct.ThrowIfCancellationRequested(); return []; },
        };
        var r = await Scanner(null, resolver).ScanAsync("https://example.com/", cts.Token);
        Assert.Equal(ScannerNames.Context, Blocker(r));
    }

    [Fact]
    public async Task ScanAsync_DnsTimeout_Ssrf()
    {
        var resolver = new FakeResolver { Override = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return []; } };
        var o = UrlScannerOptions.Default with { DnsTimeout = TimeSpan.FromMilliseconds(20) };
        Assert.Equal(ScannerNames.Ssrf, Blocker(await Scanner(o, resolver).ScanAsync("https://slow.example/")));
    }

    [Fact]
    public async Task ScanAsync_SecretInHost_BlockedBeforeDns()
    {
        var resolver = new FakeResolver();
        var r = await Scanner(null, resolver).ScanAsync($"https://{TestSecrets.Aws()}.evil.com/");
        Assert.Equal(ScannerNames.Dlp, Blocker(r));
        Assert.Empty(resolver.Queries);
    }

    [Theory]
    [InlineData("nas.home.example")]
    [InlineData("home.example")]
    public async Task ScanAsync_TrustedDomain_BypassesInternalCheck(string host)
    {
        var resolver = new FakeResolver().Add(host, "192.168.1.10");
        Assert.Equal(ScannerNames.Ssrf, Blocker(await Scanner(null, resolver).ScanAsync($"http://{host}/")));
        var trusted = UrlScannerOptions.Default with { TrustedDomains = ["*.home.example"] };
        var r = await Scanner(trusted, resolver).ScanAsync($"http://{host}/");
        Assert.False(r.Blocked, r.Verdict.ToString());
        Assert.Equal([IPAddress.Parse("192.168.1.10")], r.Addresses);
    }

    [Fact]
    public async Task ScanAsync_TrustedDomain_NeverTrustsIpLiteral()
    {
        var o = UrlScannerOptions.Default with { TrustedDomains = ["*", "192.168.1.10"] };
        Assert.Equal(ScannerNames.Ssrf, Blocker(await Scanner(o, new FakeResolver()).ScanAsync("http://192.168.1.10/")));
    }

    [Fact]
    public async Task ScanAsync_IpAllowlist_ExemptsResolvedAddress()
    {
        var o = UrlScannerOptions.Default with { SsrfIpAllowlist = ["192.168.1.0/24"] };
        var r = await Scanner(o, new FakeResolver().Add("printer.lan.example", "192.168.1.20")).ScanAsync("http://printer.lan.example/");
        Assert.False(r.Blocked);
    }

    [Fact]
    public async Task ScanAsync_AllowlistedApiResolvingInternal_HintsAtConfig()
    {
        var r = await Scanner(null, new FakeResolver().Add("api.openai.com", "10.0.0.5")).ScanAsync("https://api.openai.com/");
        Assert.Contains("trusted_domains", r.Verdict.Findings.Single().Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_SubdomainRotation_SharesRateBucket()
    {
        var time = new ManualTimeProvider();
        var resolver = new FakeResolver();
        foreach (var h in new[] { "a.evil.co.uk", "b.evil.co.uk", "c.evil.co.uk", "d.evil.co.uk", "other.co.uk" }) resolver.Add(h, Public);
        var s = Scanner(UrlScannerOptions.Default with { MaxRequestsPerMinute = 3 }, resolver, time);
        Assert.False((await s.ScanAsync("https://a.evil.co.uk/")).Blocked);
        Assert.False((await s.ScanAsync("https://b.evil.co.uk/")).Blocked);
        Assert.False((await s.ScanAsync("https://c.evil.co.uk/")).Blocked);
        Assert.Equal(ScannerNames.RateLimit, Blocker(await s.ScanAsync("https://d.evil.co.uk/")));
        Assert.False((await s.ScanAsync("https://other.co.uk/")).Blocked);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.False((await s.ScanAsync("https://d.evil.co.uk/")).Blocked);
    }

    [Fact]
    public async Task ScanAsync_DataBudget_BlocksUntilWindowSlides()
    {
        var time = new ManualTimeProvider();
        var s = Scanner(UrlScannerOptions.Default with { MaxDataPerMinute = 1000 }, new FakeResolver().Add("x.example.com", Public), time);
        Assert.False((await s.ScanAsync("https://x.example.com/")).Blocked);
        s.RecordResponseBytes("cdn.example.com", 600);
        Assert.False((await s.ScanAsync("https://x.example.com/")).Blocked);
        s.RecordResponseBytes("X.Example.com.", 500);
        Assert.Equal(ScannerNames.DataBudget, Blocker(await s.ScanAsync("https://x.example.com/")));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.False((await s.ScanAsync("https://x.example.com/")).Blocked);
    }

    [Fact]
    public async Task ScanAsync_RateLimitIsAtomicUnderConcurrency()
    {
        var resolver = new FakeResolver().Add("example.com", Public);
        var s = Scanner(UrlScannerOptions.Default with { MaxRequestsPerMinute = 10 }, resolver, new ManualTimeProvider());
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await s.ScanAsync("https://example.com/"))));
        Assert.Equal(10, results.Count(r => !r.Blocked));
    }

    [Fact]
    public async Task ScanAsync_LongUrl_LengthAfterSsrfAndRate()
    {
        var r = await Scanner(null, new FakeResolver().Add("example.com", Public)).ScanAsync("https://example.com/" + new string('a', 3000));
        Assert.Equal(ScannerNames.Length, Blocker(r));
    }
}
