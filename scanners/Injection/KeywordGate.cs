using System.Buffers;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// One OR-set of keywords, searched with vectorised multi-string search. ASCII keywords (case-insensitive and
/// case-sensitive) and non-ASCII ones (CJK) are kept apart: SearchValues falls back to a much slower algorithm as
/// soon as one value is non-ASCII, and an ASCII-only text can skip the non-ASCII search altogether.
/// </summary>
internal sealed class KeywordGate
{
    private readonly SearchValues<string>? _asciiIgnoreCase;
    private readonly SearchValues<string>? _asciiExact;
    private readonly SearchValues<string>? _nonAsciiIgnoreCase;
    private readonly SearchValues<string>? _nonAsciiExact;

    public KeywordGate(IEnumerable<Keyword> keywords)
    {
        var all = keywords.ToList();
        _asciiIgnoreCase = Create(all.Where(k => !k.CaseSensitive && IsAscii(k.Text)), StringComparison.OrdinalIgnoreCase);
        _asciiExact = Create(all.Where(k => k.CaseSensitive && IsAscii(k.Text)), StringComparison.Ordinal);
        _nonAsciiIgnoreCase = Create(all.Where(k => !k.CaseSensitive && !IsAscii(k.Text)), StringComparison.OrdinalIgnoreCase);
        _nonAsciiExact = Create(all.Where(k => k.CaseSensitive && !IsAscii(k.Text)), StringComparison.Ordinal);
    }

    private static bool IsAscii(string s) => System.Text.Ascii.IsValid(s);

    private static SearchValues<string>? Create(IEnumerable<Keyword> keywords, StringComparison comparison)
    {
        var values = keywords.Select(k => k.Text).Distinct(StringComparer.FromComparison(comparison)).ToArray();
        return values.Length == 0 ? null : SearchValues.Create(values, comparison);
    }

    /// <param name="text">The text.</param>
    /// <param name="textIsAscii">Whether <paramref name="text"/> is pure ASCII (then non-ASCII keywords cannot occur).</param>
    public bool Matches(ReadOnlySpan<char> text, bool textIsAscii) =>
        (_asciiIgnoreCase is not null && text.IndexOfAny(_asciiIgnoreCase) >= 0) ||
        (_asciiExact is not null && text.IndexOfAny(_asciiExact) >= 0) ||
        (!textIsAscii && _nonAsciiIgnoreCase is not null && text.IndexOfAny(_nonAsciiIgnoreCase) >= 0) ||
        (!textIsAscii && _nonAsciiExact is not null && text.IndexOfAny(_nonAsciiExact) >= 0);
}
