using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Pipelock.Agent.Config;
using Pipelock.Agent.Operations;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Operations;

public class DecisionLogTests
{
    [Theory]
    [InlineData("https://api.example.test/v1/x?key=secret", "https://api.example.test")]
    [InlineData("http://user:pass@10.0.0.1:8080/p", "http://10.0.0.1:8080")]
    [InlineData("not a url", "[redacted]")]
    public void CutUrl_KeepsSchemeAndHostOnly(string url, string expected) => Assert.Equal(expected, DecisionLog.CutUrl(url));

    private static async Task<List<JsonElement>> LogAsync(LoggingConfig options, Action<DecisionLog> write)
    {
        var output = new MemoryStream();
        await using (var log = new DecisionLog(options, output))
        {
            write(log);
        }
        return Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static Decision Blocked(string scanner) => DecisionPolicy.Decide(new Verdict(ImmutableArray.Create(
        new Finding(scanner, "GitHub Token", Severity.Critical, ScanAction.Block, "ghp_…(40)", 0))));

    [Fact]
    public async Task ContentFinding_UrlCutAndResourceRedacted_EvidenceOnlyRedacted()
    {
        var lines = await LogAsync(new LoggingConfig(), log =>
            log.Decision("blocked", "POST", "https://api.example.test/upload?token=abc", "10.1.2.3", "req-1", Blocked(ScannerNames.Dlp)));

        var e = Assert.Single(lines);
        Assert.Equal("blocked", e.GetProperty("event").GetString());
        Assert.Equal("warn", e.GetProperty("level").GetString());
        Assert.Equal("https://api.example.test", e.GetProperty("url").GetString());
        Assert.Equal("[redacted]", e.GetProperty("resource").GetString());
        Assert.Equal("T1048", e.GetProperty("mitre_technique").GetString());
        Assert.Equal("pipelock", e.GetProperty("component").GetString());
        Assert.DoesNotContain("abc", e.GetRawText());
    }

    [Fact]
    public async Task NonContentFinding_KeepsTheUrl()
    {
        var lines = await LogAsync(new LoggingConfig(), log =>
            log.Decision("blocked", "GET", "http://169.254.169.254/latest/meta-data", "10.1.2.3", "req-2", Blocked(ScannerNames.Ssrf)));

        Assert.Equal("http://169.254.169.254/latest/meta-data", Assert.Single(lines).GetProperty("url").GetString());
    }

    [Fact]
    public async Task IncludeBlockedFalse_DropsBlocks_IncludeAllowedFalse_DropsCleanDecisions()
    {
        var clean = DecisionPolicy.Decide(Verdict.Clean);
        var lines = await LogAsync(new LoggingConfig { IncludeBlocked = false, IncludeAllowed = false }, log =>
        {
            log.Decision("blocked", "GET", "https://a.test/", "1.1.1.1", "req-1", Blocked(ScannerNames.Dlp));
            log.Decision("allowed", "GET", "https://a.test/", "1.1.1.1", "req-2", clean);
        });

        Assert.Empty(lines);
    }

    [Fact]
    public async Task TextFormat_OneReadableLine()
    {
        var output = new MemoryStream();
        await using (var log = new DecisionLog(new LoggingConfig { Format = "text" }, output))
        {
            log.Event("info", "startup", ("version", "1.2.3"), ("config", "built-in default"));
        }

        var line = Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n');
        Assert.Matches(@"^\d{4}-\d\d-\d\dT[\d:.]+Z INFO startup version=1\.2\.3 config=""built-in default""$", line);
    }

    [Theory]
    [InlineData("evil\n2026-01-01T00:00:00.000Z INFO startup forged=1", @"evil\n2026-01-01T00:00:00.000Z INFO startup forged=1")]
    [InlineData("a\rb\tc\u0001d\u007f", @"a\rb\tc\x01d\x7f")]
    public async Task TextFormat_ControlCharacters_AreEscaped_SoNoValueStartsALine(string value, string written)
    {
        var output = new MemoryStream();
        await using (var log = new DecisionLog(new LoggingConfig { Format = "text" }, output))
        {
            log.Event("warn", "mcp_tool", ("tool", value));
        }

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Contains(written, text, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestIds_AreSequential()
    {
        var log = new DecisionLog(new LoggingConfig(), Stream.Null);
        Assert.Equal("req-1", log.NextRequestId());
        Assert.Equal("req-2", log.NextRequestId());
    }
}
