using Pipelock.Scanners.Body;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

/// <summary>The URL and body scanners wired to the real DLP scanner (the fake stands in elsewhere).</summary>
public sealed class UrlScannerRealDlpTests
{
    private static readonly DlpScanner Dlp = new();

    public static TheoryData<string> SecretUrls() => new()
    {
        $"https://example.com/api?key={TestSecrets.Aws()}",
        $"https://example.com/?w={TestSecrets.Wif()}",
        "https://example.com/%41" + TestSecrets.Aws()[1..],
        $"https://example.com/?t={TestSecrets.GitHub()}",
    };

    [Theory]
    [MemberData(nameof(SecretUrls))]
    public void ScanStatic_RealDlp_SecretUrlBlockedByDlp(string url)
    {
        var v = new UrlScanner(UrlScannerOptions.Default, Dlp).ScanStatic(url);
        Assert.Equal(ScanAction.Block, v.Action);
        Assert.Contains(v.Findings, f => f.Scanner is ScannerNames.Dlp or ScannerNames.CoreDlp);
    }

    [Fact]
    public void ScanStatic_RealDlp_CleanUrlClean() =>
        Assert.True(new UrlScanner(UrlScannerOptions.Default, Dlp).ScanStatic("https://api.github.com/repos/golang/go/issues?state=open&page=2").IsClean);

    [Fact]
    public void ScanBody_RealDlp_JsonSecretBodyDlp()
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$$"""{"config":{"aws_key":"{{{TestSecrets.Aws()}}}"}}""");
        var v = new RequestBodyScanner(BodyOptions.Default, Dlp).ScanBody("application/json", null, body.AsMemory(), "evil.example.com");
        Assert.Contains(v.Findings, f => f.Scanner is ScannerNames.BodyDlp or ScannerNames.CoreDlp);
    }

    [Fact]
    public void ScanHeaders_RealDlp_BearerHeaderDlp()
    {
        var v = new RequestBodyScanner(BodyOptions.Default, Dlp).ScanHeaders([new("Authorization", "Bearer " + TestSecrets.Anthropic())], "evil.example.com");
        Assert.Contains(v.Findings, f => f.Scanner is ScannerNames.HeaderDlp or ScannerNames.CoreDlp);
    }
}
