using System.Buffers;

namespace Pipelock.Scanners.Injection;

/// <summary>One OR-set of keywords, searched with vectorised multi-string search (case-insensitive and case-sensitive parts).</summary>
internal sealed class KeywordGate
{
    private readonly SearchValues<string>? _ignoreCase;
    private readonly SearchValues<string>? _exactCase;

    public KeywordGate(IEnumerable<Keyword> keywords)
    {
        var ci = keywords.Where(k => !k.CaseSensitive).Select(k => k.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var cs = keywords.Where(k => k.CaseSensitive).Select(k => k.Text).Distinct(StringComparer.Ordinal).ToArray();
        if (ci.Length > 0) _ignoreCase = SearchValues.Create(ci, StringComparison.OrdinalIgnoreCase);
        if (cs.Length > 0) _exactCase = SearchValues.Create(cs, StringComparison.Ordinal);
    }

    public bool IsEmpty => _ignoreCase is null && _exactCase is null;

    public bool Matches(ReadOnlySpan<char> text) =>
        (_ignoreCase is not null && text.IndexOfAny(_ignoreCase) >= 0) ||
        (_exactCase is not null && text.IndexOfAny(_exactCase) >= 0);
}
