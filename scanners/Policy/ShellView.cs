using System.Collections.Immutable;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// De-obfuscated argument text in one view: whitespace tokens, the source argument index of each token (pairs are
/// only formed across different arguments), and the space-joined form the rules run on first.
/// </summary>
public sealed class ShellView
{
    internal ShellView(ImmutableArray<string> tokens, ImmutableArray<int> origins, string joined)
    {
        Tokens = tokens;
        Origins = origins;
        Joined = joined;
    }

    public ImmutableArray<string> Tokens { get; }

    /// <summary>For each token, the index of the argument string it came from.</summary>
    public ImmutableArray<int> Origins { get; }

    public string Joined { get; }

    /// <summary>Some de-obfuscation step hit its substitution cap: part of the text may still be hidden.</summary>
    public bool Saturated { get; init; }

    public static ShellView Empty { get; } = new([], [], "");
}
