using System.Buffers;
using System.Globalization;
using System.Text;
using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Pass 6 helpers: finding and decoding base64 / hex payloads (Pipelock's <c>matchDecodedResponse</c>).
/// Whole content (whitespace removed) and every alphabet run of ≥16 characters are tried as base64 Std/URL/RawStd/RawURL
/// and hex with Go-strict decoders; a layer counts only when it is valid UTF-8 and ≥80 % printable.
/// </summary>
internal static class EncodedPayloads
{
    public const int MaxDepth = 5;
    public const int MinSegment = 16;
    private const int MinRun = 8;

    /// <summary>Cap on segments tried per layer: a page of identifiers must not turn into thousands of decodes.</summary>
    public const int MaxSegmentsPerLayer = 64;

    private static readonly SearchValues<char> RunAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-");

    private static readonly SearchValues<char> WholeAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_- \t\r\n");

    private static readonly GoBase64.Variant[] Variants = [GoBase64.Variant.Std, GoBase64.Variant.Url, GoBase64.Variant.RawStd, GoBase64.Variant.RawUrl];

    /// <summary>Gate of pass 6: a run of ≥8 characters from [A-Za-z0-9+/=_-].</summary>
    public static bool HasEncodedRun(ReadOnlySpan<char> s) => HasRun(s, MinRun);

    /// <summary>Whether <see cref="Segments"/> can find anything: a run of ≥16 alphabet characters (vectorised).</summary>
    public static bool HasSegment(ReadOnlySpan<char> s) => HasRun(s, MinSegment);

    private static bool HasRun(ReadOnlySpan<char> s, int minRun)
    {
        while (true)
        {
            int start = s.IndexOfAny(RunAlphabet);
            if (start < 0) return false;
            s = s[start..];
            int len = s.IndexOfAnyExcept(RunAlphabet);
            if (len < 0) len = s.Length;
            if (len >= minRun) return true;
            s = s[len..];
        }
    }

    /// <summary>The whole content with whitespace removed, when it could be one payload; null otherwise.</summary>
    public static string? WholeCandidate(string content)
    {
        if (content.AsSpan().IndexOfAnyExcept(WholeAlphabet) >= 0) return null;
        if (content.AsSpan().IndexOfAny(" \t\r\n") < 0) return content;
        var sb = new StringBuilder(content.Length);
        foreach (char c in content) if (c is not (' ' or '\t' or '\r' or '\n')) sb.Append(c);
        return sb.ToString();
    }

    /// <summary>Alphabet runs ≥16 chars ('=' ends a run, then up to two '=' are reattached as padding).</summary>
    public static List<string> Segments(string content)
    {
        // A scalar scan: prose is mostly short runs, where per-run vector calls cost more than they save.
        List<string>? list = null;
        int start = -1;
        for (int i = 0; i <= content.Length; i++)
        {
            if (i < content.Length && IsSegmentChar(content[i]))
            {
                if (start < 0) start = i;
                continue;
            }
            if (start >= 0 && i - start >= MinSegment - 2)
            {
                int end = i;
                while (end < content.Length && end - i < 2 && content[end] == '=') end++;
                if (end - start >= MinSegment)
                {
                    (list ??= []).Add(content[start..end]);
                    if (list.Count >= MaxSegmentsPerLayer) break;
                }
            }
            start = -1;
        }
        return list ?? [];
    }

    private static bool IsSegmentChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';

    /// <summary>Every decoding of <paramref name="candidate"/> that yields readable text, as (label, text).</summary>
    public static IEnumerable<(string Label, string Text)> Decodings(string candidate)
    {
        foreach (var v in Variants)
            if (GoBase64.TryDecode(candidate, v, out var bytes) && TryText(bytes, out var text))
                yield return ("base64", text);
        if (GoHex.TryDecode(candidate, out var hex) && TryText(hex, out var htext))
            yield return ("hex", htext);
    }

    /// <summary>Valid UTF-8 and at least 80 % printable runes (Go's unicode.IsPrint, plus TAB/LF/CR).</summary>
    internal static bool TryText(byte[] bytes, out string text)
    {
        text = "";
        if (bytes.Length == 0 || !System.Text.Unicode.Utf8.IsValid(bytes)) return false;
        text = System.Text.Encoding.UTF8.GetString(bytes);
        int total = 0, printable = 0;
        foreach (var r in text.EnumerateRunes())
        {
            total++;
            if (r.Value is '\t' or '\n' or '\r' or ' ') { printable++; continue; }
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
                printable++;
        }
        return printable * 5 >= total * 4;
    }
}
