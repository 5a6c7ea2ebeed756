using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Chains;

/// <summary><c>tool_chain_detection</c>. Defaults are Pipelock's.</summary>
public sealed record ChainOptions
{
    public bool Enabled { get; init; }
    public int WindowSize { get; init; } = 20;
    public int WindowSeconds { get; init; } = 60;
    public int MaxGap { get; init; } = 3;

    /// <summary>Per-session histories kept (least recently used evicted).</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>Category → tool name patterns (exact or glob with <c>*</c>/<c>?</c>), checked before keyword classification.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ToolCategories { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Pattern name → action; <see cref="ScanAction.None"/> disables the pattern.</summary>
    public IReadOnlyDictionary<string, ScanAction> PatternOverrides { get; init; } = new Dictionary<string, ScanAction>();

    /// <summary>Extra patterns (≥ 2 steps, known categories, severity medium|high|critical; invalid ones are rejected by <see cref="Validate"/>).</summary>
    public IReadOnlyList<ChainPattern> CustomPatterns { get; init; } = [];

    public static readonly ChainOptions Default = new();

    /// <summary>All problems at once (config validation reports every error together).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WindowSize < 1) errors.Add("window_size must be >= 1");
        if (WindowSeconds < 1) errors.Add("window_seconds must be >= 1");
        if (MaxGap < 0) errors.Add("max_gap must be >= 0");
        foreach (var c in ToolCategories.Keys)
            if (!Chains.ToolCategories.IsKnown(c)) errors.Add($"tool_categories: unknown category '{c}'");
        foreach (var p in CustomPatterns)
        {
            if (string.IsNullOrWhiteSpace(p.Name)) errors.Add("custom_patterns: name required");
            if (p.Steps.Count < 2) errors.Add($"custom_patterns '{p.Name}': needs at least 2 steps");
            foreach (var s in p.Steps)
                if (!Chains.ToolCategories.IsKnown(s)) errors.Add($"custom_patterns '{p.Name}': unknown category '{s}'");
            if (p.Severity is not (Severity.Medium or Severity.High or Severity.Critical)) errors.Add($"custom_patterns '{p.Name}': severity must be medium, high or critical");
        }
        return errors;
    }
}
