using Pipelock.Agent.Cli;
using Pipelock.Agent.Cli.Simulation;
using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Cli.Simulation;

public class SimulationRunnerTests
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

    [Fact]
    public void Run_PerfectScanner_AllPass()
    {
        var scenarios = SimulationCatalog.Build(PipelockConfig.Default);

        var outcomes = SimulationRunner.Run(scenarios, Perfect(scenarios, missId: "inj-dan-jailbreak"));

        Assert.Equal(["inj-dan-jailbreak"], outcomes.Where(o => !o.Passed).Select(o => o.Scenario.Id));
    }

    [Theory]
    [InlineData("core_dlp", "dlp", true)]
    [InlineData("dlp", "dlp", true)]
    [InlineData("entropy", "dlp", false)]
    public void Matches_CoreVariant_CountsAsSameScanner(string got, string expected, bool match) =>
        Assert.Equal(match, SimulationRunner.Matches(got, expected));
}
