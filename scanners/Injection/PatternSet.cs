namespace Pipelock.Scanners.Injection;

/// <summary>
/// Patterns of one pass variant (primary, optional-whitespace or vowel-folded) behind a keyword pre-filter:
/// one vectorised search over the union of each pattern's most selective keyword set decides whether any regex
/// can match at all, so clean text runs no regex.
/// </summary>
internal sealed class PatternSet
{
    private readonly KeywordGate? _anyGate;
    private readonly bool _hasAlwaysRun;

    public PatternSet(IEnumerable<CompiledPattern> patterns)
    {
        Patterns = [.. patterns];
        _hasAlwaysRun = Patterns.Any(p => p.Gate is null);
        var union = Patterns.Where(p => p.Gate is not null).SelectMany(p => p.Gate!).ToList();
        _anyGate = union.Count > 0 ? new KeywordGate(union) : null;
    }

    public CompiledPattern[] Patterns { get; }

    public bool IsEmpty => Patterns.Length == 0;

    /// <summary>True when some pattern has no keyword requirement (its regex runs on every text).</summary>
    public bool HasAlwaysRun => _hasAlwaysRun;

    /// <summary>Fills <paramref name="candidates"/> with the patterns whose keywords all occur in <paramref name="text"/>.</summary>
    public int Candidates(ReadOnlySpan<char> text, Span<bool> candidates)
    {
        if (Patterns.Length == 0) return 0;
        bool isAscii = System.Text.Ascii.IsValid(text);
        bool anyKeyword = _anyGate is not null && _anyGate.Matches(text, isAscii);
        if (!anyKeyword && !_hasAlwaysRun) return 0;
        int n = 0;
        for (int i = 0; i < Patterns.Length; i++)
        {
            var p = Patterns[i];
            bool ok = p.Gate is null ? p.MayMatch(text, isAscii) : anyKeyword && p.MayMatch(text, isAscii);
            candidates[i] = ok;
            if (ok) n++;
        }
        return n;
    }
}
