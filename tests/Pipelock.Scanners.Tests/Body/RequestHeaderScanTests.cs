using Pipelock.Scanners.Body;
using Pipelock.Scanners.Tests.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Body;

public sealed class RequestHeaderScanTests
{
    private static KeyValuePair<string, string> H(string n, string v) => new(n, v);

    private static Verdict Scan(BodyOptions o, params KeyValuePair<string, string>[] headers) =>
        new RequestBodyScanner(o, new FakeDlpScanner()).ScanHeaders(headers, "api.example.com");

    private static readonly BodyOptions All = BodyOptions.Default with { HeaderMode = HeaderScanMode.All };

    [Fact]
    public void ScanHeaders_AuthorizationBearer_HeaderDlp()
    {
        var key = TestSecrets.Anthropic();
        var v = Scan(BodyOptions.Default, H("authorization", "Bearer " + key));
        Assert.NotEmpty(v.Findings);
        Assert.All(v.Findings, f =>
        {
            Assert.Equal((ScannerNames.HeaderDlp, ScanAction.Warn, "authorization"), (f.Scanner, f.Action, f.Location));
            Assert.DoesNotContain(key, f.Evidence, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ScanHeaders_DestinationHostPassedToDlp()
    {
        var dlp = new FakeDlpScanner();
        new RequestBodyScanner(BodyOptions.Default, dlp).ScanHeaders([H("X-Api-Key", TestSecrets.OpenAiProject())], "api.openai.com");
        Assert.Equal("api.openai.com", dlp.LastHost);
    }

    [Fact]
    public void ScanHeaders_SensitiveMode_IgnoresOtherHeaders() =>
        Assert.True(Scan(BodyOptions.Default, H("X-Custom", TestSecrets.Aws())).IsClean);

    [Theory]
    [InlineData("PLAID-SECRET")]
    [InlineData("X-Amz-Security-Token")]
    [InlineData("X-Vendor-Api-Key")]
    [InlineData("X-Auth")]
    public void ScanHeaders_SensitiveMode_ScansHeadersNamedForCredentials(string name) =>
        Assert.Contains(Scan(BodyOptions.Default, H(name, TestSecrets.Aws())).Findings, f => f.Location == name);

    [Theory]
    [InlineData("X-Request-Id")]
    [InlineData("PLAID-CLIENT-ID")]
    public void ScanHeaders_SensitiveMode_OrdinaryNamesStillSkipped(string name) =>
        Assert.True(Scan(BodyOptions.Default, H(name, TestSecrets.Aws())).IsClean);

    [Fact]
    public void ScanHeaders_AllMode_ScansCustomHeader() =>
        Assert.Contains(Scan(All, H("X-Custom", TestSecrets.Aws())).Findings, f => f.Scanner == ScannerNames.HeaderDlp);

    [Fact]
    public void ScanHeaders_AllMode_IgnoreListSkipped() =>
        Assert.True(Scan(All, H("User-Agent", TestSecrets.Aws())).IsClean);

    [Fact]
    public void ScanHeaders_SecretInHeaderName_NamePlusValue()
    {
        var key = TestSecrets.AwsDocExample();
        Assert.Contains(Scan(All, H("X-" + key[..13], key[13..])).Findings, f => f.Scanner == ScannerNames.HeaderDlp);
    }

    [Fact]
    public void ScanHeaders_SecretSplitAcrossHeaders_JoinedScan()
    {
        var key = TestSecrets.Anthropic();
        var v = Scan(All, H("X-Part-1", key[..20]), H("X-Part-2", key[20..]));
        Assert.Contains(v.Findings, f => f.Scanner == ScannerNames.HeaderDlp && f.Location == "joined");
    }

    [Fact]
    public void ScanHeaders_ScanHeadersOff_Clean() =>
        Assert.True(Scan(BodyOptions.Default with { ScanHeaders = false }, H("Authorization", "Bearer " + TestSecrets.Anthropic())).IsClean);

    [Fact]
    public void ScanHeaders_CleanHeaders_Clean() =>
        Assert.True(Scan(All, H("Accept-Language", "en-GB"), H("X-Request-Id", "550e8400-e29b-41d4-a716-446655440000")).IsClean);
}
