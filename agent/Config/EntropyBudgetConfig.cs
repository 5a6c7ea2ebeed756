using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>cross_request_detection.entropy_budget</c>.</summary>
public sealed record EntropyBudgetConfig
{
    public bool Enabled { get; init; }
    public int BitsPerWindow { get; init; } = 4096;
    public int WindowMinutes { get; init; } = 5;
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public ValueList<string> ExemptDomains { get; init; } = ValueList<string>.Empty;
}
