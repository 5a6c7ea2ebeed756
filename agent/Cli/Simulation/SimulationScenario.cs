namespace Pipelock.Agent.Cli.Simulation;

/// <summary>
/// One attack of <c>pipelock simulate</c> (catalogue §7.2): <paramref name="Input"/> sent through
/// <see cref="ICarrierScanner"/> as (<paramref name="Kind"/>, <paramref name="Carrier"/>) must produce a finding from
/// <paramref name="ExpectedScanner"/> (a <c>core_</c> variant of the same label also counts).
/// </summary>
public sealed record SimulationScenario(
    string Id,
    string Name,
    string Category,
    Carrier Carrier,
    ScanKind Kind,
    string Input,
    string ExpectedScanner);
