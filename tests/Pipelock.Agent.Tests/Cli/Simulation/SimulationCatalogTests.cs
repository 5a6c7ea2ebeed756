using Pipelock.Agent.Cli;
using Pipelock.Agent.Cli.Simulation;
using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Cli.Simulation;

public class SimulationCatalogTests
{
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
}
