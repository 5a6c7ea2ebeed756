namespace Pipelock.Agent.Cli.Simulation;

/// <summary>Result of one scenario: the scanner labels that fired and whether the expected one was among them.</summary>
public sealed record SimulationOutcome(SimulationScenario Scenario, IReadOnlyList<string> Got, bool Passed);
