using System.Text.Json;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Cli.Simulation;
using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Cli;

public class SimulateCommandTests
{
    /// <summary>Recognises scenarios by shape, since simulate builds fresh random tokens each run.</summary>
    private static FakeCarrierScanner ByCategory(string? missCategory = null) => new((k, w, t) =>
    {
        var label = (k, w) switch
        {
            (ScanKind.Injection, _) => "response_scan",
            (ScanKind.ToolPoisoning, _) => "tool_poisoning",
            (ScanKind.Dlp, _) => "dlp",
            (ScanKind.Url, _) when t.Contains("%0d%0a") => "crlf_injection",
            (ScanKind.Url, _) when t.Length > 10000 => "length",
            (ScanKind.Url, _) when t.Contains("/../") => "path_traversal",
            (ScanKind.Url, _) when t.StartsWith("http://") => "ssrf",
            (ScanKind.Url, _) when t.Contains("/collect?") => "canary",
            _ => "core_dlp",
        };
        return label == missCategory ? Verdict.Clean : Verdict.Of(new Finding(label, "sim", Severity.High, ScanAction.Block, "x"));
    });

    [Fact]
    public void Simulate_AllDetected_ExitZeroTableAllPass()
    {
        var run = CliRun.Of(ByCategory(), "simulate");

        Assert.Equal(0, run.Exit);
        Assert.Contains("24/24 scenarios detected, 0 gaps", run.Out);
        Assert.DoesNotContain(" GAP", run.Out);
    }

    [Fact]
    public void Simulate_MissedCategory_ExitOneAndGapRows()
    {
        var run = CliRun.Of(ByCategory(missCategory: "path_traversal"), "simulate");

        Assert.Equal(1, run.Exit);
        Assert.Matches(@"url-path-traversal\s+url\s+path_traversal\s+-\s+GAP", run.Out);
        Assert.Contains("23/24 scenarios detected, 1 gap", run.Out);
    }

    [Fact]
    public void Simulate_Json_ReportsEveryScenario()
    {
        var run = CliRun.Of(ByCategory(missCategory: "ssrf"), "simulate", "--json");

        Assert.Equal(1, run.Exit);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal(24, doc.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(4, doc.RootElement.GetProperty("gaps").GetInt32());
        var first = doc.RootElement.GetProperty("scenarios")[0];
        Assert.Equal("dlp-aws-key-query", first.GetProperty("id").GetString());
        Assert.Equal("pass", first.GetProperty("result").GetString());
    }

    [Fact]
    public void Simulate_ConfigWithoutInternal_RunsTwentyScenarios()
    {
        var run = CliRun.Of(ByCategory(), "simulate", "--config", CheckCommandTests.TempFile("internal: []\n"));

        Assert.Contains("20/20 scenarios detected", run.Out);
    }
}
