using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Narrow options for <see cref="InjectionScanner"/> (Pipelock's <c>response_scanning</c> section).
/// Defaults are Pipelock's: enabled, the 25 built-in patterns, action warn.
/// </summary>
public sealed record InjectionOptions
{
    /// <summary>When false only the immutable core floor runs (Pipelock: core runs even with response_scanning disabled).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>User patterns. With <see cref="IncludeDefaults"/> they are merged after the defaults; a user pattern replaces a default of the same name.</summary>
    public ImmutableArray<InjectionPattern> Patterns { get; init; } = [];

    /// <summary>Pipelock's <c>include_defaults</c> (default true): start from the 25 built-in patterns.</summary>
    public bool IncludeDefaults { get; init; } = true;

    /// <summary>The "pipelock-net extras" set (<see cref="InjectionPatterns.NetExtras"/>): general rules beyond Pipelock's 25, on by default.</summary>
    public bool IncludeExtras { get; init; } = true;

    /// <summary>What a (non-core) finding asks for: block | strip | warn | ask. Core findings always block.</summary>
    public ScanAction Action { get; init; } = ScanAction.Warn;

    /// <summary>
    /// Text beyond this many characters is not scanned and yields an "Oversize Content" finding carrying <see cref="Action"/>.
    /// Below it, long texts are scanned in overlapping windows so cost stays linear.
    /// </summary>
    public int MaxScanChars { get; init; } = 16 * 1024 * 1024;

    /// <summary>The default options (Pipelock defaults plus the extras).</summary>
    public static InjectionOptions Default { get; } = new();

    /// <summary>The effective non-core pattern list.</summary>
    public ImmutableArray<InjectionPattern> EffectivePatterns()
    {
        var list = new List<InjectionPattern>();
        if (IncludeDefaults) list.AddRange(InjectionPatterns.Defaults);
        if (IncludeExtras) list.AddRange(InjectionPatterns.NetExtras);
        foreach (var p in Patterns)
        {
            int i = list.FindIndex(x => x.Name == p.Name);
            if (i >= 0) list[i] = p; else list.Add(p);
        }
        return [.. list];
    }
}
