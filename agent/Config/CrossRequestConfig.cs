using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>cross_request_detection</c>: entropy budget and fragment reassembly across requests. Enabled with both off is an error.</summary>
public sealed record CrossRequestConfig
{
    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Block;
    public EntropyBudgetConfig EntropyBudget { get; init; } = new();
    public FragmentReassemblyConfig FragmentReassembly { get; init; } = new();
}
