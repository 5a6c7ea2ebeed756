using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Session;

/// <summary><c>mcp_session_binding</c> (Pipelock defaults: off, both actions warn).</summary>
public sealed record SessionBindingOptions
{
    public bool Enabled { get; init; }
    public ScanAction UnknownToolAction { get; init; } = ScanAction.Warn;
    public ScanAction NoBaselineAction { get; init; } = ScanAction.Warn;

    /// <summary>Sessions kept at once (least recently used evicted).</summary>
    public int MaxSessions { get; init; } = 10_000;

    public static readonly SessionBindingOptions Default = new();
}
