using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>tool_chain_detection</c>: ordered tool-call sequences within a session window.</summary>
public sealed record ToolChainConfig
{
    public static readonly ValueList<string> Categories = ValueList<string>.Of("read", "write", "exec", "network", "list", "env", "persist");

    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public int WindowSize { get; init; } = 20;
    public int WindowSeconds { get; init; } = 60;
    public int MaxGap { get; init; } = 3;
    /// <summary>Tool name (exact or glob) → category.</summary>
    public ValueMap<string> ToolCategories { get; init; } = ValueMap<string>.Empty;
    /// <summary>Built-in pattern name → action override.</summary>
    public ValueMap<ScanAction> PatternOverrides { get; init; } = ValueMap<ScanAction>.Empty;
    public ValueList<ChainPatternConfig> CustomPatterns { get; init; } = ValueList<ChainPatternConfig>.Empty;
}
