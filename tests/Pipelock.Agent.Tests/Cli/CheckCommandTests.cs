using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Tests.Support;

namespace Pipelock.Agent.Tests.Cli;

public class CheckCommandTests
{
    [Theory]
    [InlineData("sure-pipelock.example.yaml")]
    [InlineData("sure-pipelock.example.v2.0.yaml")]
    public void Check_FixtureConfig_ValidExitZero(string fixture)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--config", SharedData.Fixture(fixture));

        Assert.Equal(0, run.Exit);
        Assert.Contains("valid (mode balanced, enforce on)", run.Out);
    }

    [Fact]
    public void Check_ConfigWithUnimplementedSections_WarnsOnStderr()
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--config", SharedData.Fixture("sure-pipelock.example.yaml"));

        Assert.Contains("warning:", run.Err);
        Assert.Contains("flight_recorder", run.Err);
    }

    [Fact]
    public void Check_InvalidConfig_PrintsEveryErrorExitTwo()
    {
        var path = TempFile("mode: paranoid\nresponse_scanning:\n  action: blok\n");

        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--config", path);

        Assert.Equal(2, run.Exit);
        Assert.Contains(":1:7: mode:", run.Err);
        Assert.Contains(":3:11: response_scanning.action: \"blok\" is not valid; must be one of block, strip, warn, ask", run.Err);
        Assert.Contains("2 errors", run.Err);
    }

    [Fact]
    public void Check_InvalidConfigWithInput_DoesNotScan()
    {
        var scanner = new FakeCarrierScanner();

        var run = CliRun.Of(scanner, "check", "--config", TempFile("mode: x\n"), "--text", "hello");

        Assert.Equal(2, run.Exit);
        Assert.Empty(scanner.Calls);
    }

    [Theory]
    [InlineData("--text", "hello world", 0)]
    [InlineData("--text", "the SECRET is here", 1)]
    [InlineData("--url", "https://example.com/?q=SECRET", 1)]
    [InlineData("--url", "https://example.com/", 0)]
    public void Check_SingleInput_ExitReflectsFindings(string flag, string value, int exit)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "check", flag, value);

        Assert.Equal(exit, run.Exit);
        Assert.Contains(exit == 0 ? "clean" : "[critical] dlp / Fake Secret", run.Out);
    }

    [Fact]
    public void Check_Findings_PrintsRedactedEvidenceAndPosition()
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--text", "xx SECRET");

        Assert.Contains("action=block", run.Out);
        Assert.Contains("evidence=\"S…[REDACTED 6 chars]\"", run.Out);
        Assert.Contains("at=3", run.Out);
        Assert.DoesNotContain("SECRET", run.Out);
    }

    [Theory]
    [InlineData(new[] { "--url", "https://x" }, ScanKind.Url, Carrier.Url)]
    [InlineData(new[] { "--text", "t" }, ScanKind.All, Carrier.Text)]
    [InlineData(new[] { "--text", "t", "--kind", "injection", "--where", "http_response" }, ScanKind.Injection, Carrier.HttpResponse)]
    [InlineData(new[] { "--text", "rm -rf /", "--kind", "shell", "--where", "shell" }, ScanKind.Shell, Carrier.Shell)]
    [InlineData(new[] { "--url", "https://x", "--kind", "dlp" }, ScanKind.Dlp, Carrier.Url)]
    public void Check_KindAndWhere_PassedToScanner(string[] args, ScanKind kind, Carrier where)
    {
        var scanner = new FakeCarrierScanner();

        CliRun.Of(scanner, ["check", .. args]);

        var call = Assert.Single(scanner.Calls);
        Assert.Equal((kind, where), (call.Kind, call.Where));
    }

    [Fact]
    public void Check_Json_PrintsMachineReadableFindings()
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--text", "SECRET and IGNORE PREVIOUS", "--json");

        Assert.Equal(1, run.Exit);
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("flagged").GetBoolean());
        Assert.Equal("block", root.GetProperty("action").GetString());
        var findings = root.GetProperty("findings");
        Assert.Equal(2, findings.GetArrayLength());
        Assert.Equal("dlp", findings[0].GetProperty("scanner").GetString());
        Assert.Equal("critical", findings[0].GetProperty("severity").GetString());
        Assert.Equal(0, findings[0].GetProperty("position").GetInt32());
    }

    [Fact]
    public void Check_FileInput_ReadsPlainAndGzip()
    {
        var plain = TempFile("a SECRET in a file");
        var gz = Path.Combine(Path.GetTempPath(), $"pipelock-test-{Guid.NewGuid():N}.txt.gz");
        using (var fs = File.Create(gz))
        using (var z = new GZipStream(fs, CompressionLevel.Fastest))
            z.Write(Encoding.UTF8.GetBytes("gzipped SECRET"));

        Assert.Equal(1, CliRun.Of(new FakeCarrierScanner(), "check", "--file", plain).Exit);
        var scanner = new FakeCarrierScanner();
        Assert.Equal(1, CliRun.Of(scanner, "check", "--file", gz).Exit);
        Assert.Equal("gzipped SECRET", Assert.Single(scanner.Calls).Text);
    }

    [Fact]
    public void Check_FileDashReadsStdin()
    {
        var scanner = new FakeCarrierScanner();

        var run = CliRun.Of(scanner, Encoding.UTF8.GetBytes("from stdin"), "check", "--file", "-");

        Assert.Equal(0, run.Exit);
        Assert.Equal("from stdin", Assert.Single(scanner.Calls).Text);
    }

    [Theory]
    [InlineData(new[] { "check" }, "nothing to check")]
    [InlineData(new[] { "check", "--url", "https://x", "--text", "y" }, "give only one of --url, --text")]
    [InlineData(new[] { "check", "--text", "x", "--kind", "magic" }, "magic")]
    [InlineData(new[] { "check", "--text", "x", "--where", "carrier_pigeon" }, "carrier_pigeon")]
    [InlineData(new[] { "check", "--file", "/nonexistent/pipelock/file" }, "cannot read")]
    [InlineData(new[] { "check", "--bogus" }, "--bogus")]
    public void Check_UsageOrInputError_ExitTwo(string[] args, string message)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), args);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Err);
    }

    internal static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipelock-test-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, content);
        return path;
    }
}
