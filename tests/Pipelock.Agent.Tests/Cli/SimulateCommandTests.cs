using System.Text.Json;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Cli.Simulation;
using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Cli;

public class SimulateCommandTests
{
    /// <summary>A scanner that "detects" exactly the scenario inputs, with the expected label.</summary>
    private static FakeCarrierScanner Perfect(IEnumerable<SimulationScenario> scenarios, string? missId = null)
    {
        var byInput = scenarios.ToDictionary(s => (s.Kind, s.Carrier, s.Input), s => s);
        return new FakeCarrierScanner((k, w, t) =>
            byInput.TryGetValue((k, w, t), out var s) && s.Id != missId
                ? Verdict.Of(new Finding(s.ExpectedScanner, "sim", Severity.High, ScanAction.Block, "x"))
                : Verdict.Clean);
    }

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
    public void Build_DefaultConfig_TwentyBasePlusFourSsrf()
    {
        var scenarios = SimulationCatalog.Build(PipelockConfig.Default);

        Assert.Equal(24, scenarios.Count);
        Assert.Equal(4, scenarios.Count(s => s.Category == "ssrf"));
        Assert.Equal(scenarios.Count, scenarios.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void Build_InternalEmptyAndCanaryConfigured_DropsSsrfAddsCanary()
    {
        var config = PipelockConfig.Default with
        {
            Internal = ValueList<string>.Empty,
            CanaryTokens = new CanaryConfig { Enabled = true, Tokens = ValueList<CanaryTokenConfig>.Of(new CanaryTokenConfig("db", "canary-db-7f3a", "")) },
        };

        var scenarios = SimulationCatalog.Build(config);

        Assert.Equal(21, scenarios.Count);
        Assert.Contains(scenarios, s => s.Id == "canary-db" && s.Input.Contains("canary-db-7f3a") && s.ExpectedScanner == "canary");
    }

    [Fact]
    public void Build_GeneratedTokens_DifferBetweenRuns()
    {
        string Token(IReadOnlyList<SimulationScenario> s) => s.Single(x => x.Id == "dlp-anthropic-key-body").Input;

        Assert.NotEqual(Token(SimulationCatalog.Build(PipelockConfig.Default)), Token(SimulationCatalog.Build(PipelockConfig.Default)));
    }

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
    public void Run_PerfectScanner_AllPass()
    {
        var scenarios = SimulationCatalog.Build(PipelockConfig.Default);

        var outcomes = SimulationRunner.Run(scenarios, Perfect(scenarios, missId: "inj-dan-jailbreak"));

        Assert.Equal(["inj-dan-jailbreak"], outcomes.Where(o => !o.Passed).Select(o => o.Scenario.Id));
    }

    [Fact]
    public void Simulate_ConfigWithoutInternal_RunsTwentyScenarios()
    {
        var run = CliRun.Of(ByCategory(), "simulate", "--config", CheckCommandTests.TempFile("internal: []\n"));

        Assert.Contains("20/20 scenarios detected", run.Out);
    }

    [Theory]
    [InlineData("core_dlp", "dlp", true)]
    [InlineData("dlp", "dlp", true)]
    [InlineData("entropy", "dlp", false)]
    public void Matches_CoreVariant_CountsAsSameScanner(string got, string expected, bool match) =>
        Assert.Equal(match, SimulationRunner.Matches(got, expected));
}
