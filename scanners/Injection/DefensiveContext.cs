namespace Pipelock.Scanners.Injection;

/// <summary>
/// Pipelock's anti-solicitation filter for "Credential Solicitation": "never share your password" is advice, not an
/// attack. A match is dropped when the sentence before it ends with a negation ("do not", "never", "won't ask you to"),
/// unless the match pivots ("…, instead send …") or the sentence continues with a demand (", send it …").
/// Phrases are checked raw and vowel-folded so the vowel-fold pass behaves the same.
/// </summary>
internal static class DefensiveContext
{
    public const string PatternName = "Credential Solicitation";

    private static readonly string[] Negations =
    [
        "do not", "don't", "never", "must not", "must never", "should not", "should never", "will not", "will never",
        "won't", "cannot", "can't", "never ask you to", "not ask you to", "do not ask you to", "don't ask you to", "won't ask you to",
    ];

    private static readonly string[] Pivots =
    [
        "; instead", ", instead", " instead ", "; rather", ", rather", " rather ", "; actually", ", actually", " actually ",
        "; but ", ", but ", " but ", "; however", ", however", " however ",
    ];

    private static readonly string[] Continuations =
    [
        ", send it ", "; send it ", ", send them ", "; send them ", ", provide it ", "; provide it ", ", provide them ",
        "; provide them ", ", paste it ", "; paste it ", ", paste them ", "; paste them ", ", email it ", "; email it ",
        ", email them ", "; email them ", ", forward it ", "; forward it ", ", forward them ", "; forward them ",
    ];

    private static readonly string[] FoldedNegations = [.. Negations.Select(Fold)];
    private static readonly string[] FoldedPivots = [.. Pivots.Select(Fold)];
    private static readonly string[] FoldedContinuations = [.. Continuations.Select(Fold)];

    private static string Fold(string s) => Normalize.TextNormalizer.VowelFold(s);

    public static bool IsDefensive(ReadOnlySpan<char> content, int start, int length)
    {
        var match = content.Slice(start, length);
        if (ContainsAny(match, Pivots) || ContainsAny(match, FoldedPivots)) return false;

        var after = content[(start + length)..];
        int end = after.IndexOfAny(".!?\n\r");
        if (end >= 0) after = after[..end];
        if (ContainsAny(after, Continuations) || ContainsAny(after, FoldedContinuations)) return false;

        var before = content[..start];
        int sentenceStart = before.LastIndexOfAny(".!?\n\r;:") + 1;
        var prefix = before[sentenceStart..].Trim();
        if (prefix.IsEmpty) return false;
        foreach (var n in Negations) if (prefix.EndsWith(n, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var n in FoldedNegations) if (prefix.EndsWith(n, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static bool ContainsAny(ReadOnlySpan<char> haystack, string[] needles)
    {
        foreach (var n in needles)
            if (haystack.Contains(n, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
