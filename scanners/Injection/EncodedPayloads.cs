using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    /// <summary>Whether <see cref="Segments"/> can find anything: a run of ≥16 alphabet characters.</summary>
    public static bool HasSegment(ReadOnlySpan<char> s) => HasRun(s, MinSegment);

    /// <summary>
    /// Whether <paramref name="s"/> holds a run of at least <paramref name="minRun"/> (a power of two up to 32)
    /// alphabet characters. Membership is computed 32 chars at a time into a bit mask and runs are found with
    /// shift-and on the mask pair, so prose (many short words) costs one pass instead of two searches per word.
    /// </summary>
    internal static bool HasRun(ReadOnlySpan<char> s, int minRun)
    {
        int i = 0, run = 0;
        if (Vector256.IsHardwareAccelerated && s.Length >= 32)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
            ulong prev = 0;
            for (; i + 32 <= s.Length; i += 32)
            {
                ulong cur = AlphabetMask(Vector256.LoadUnsafe(ref src, (nuint)i)) | (ulong)AlphabetMask(Vector256.LoadUnsafe(ref src, (nuint)i + 16)) << 16;
                ulong y = cur << 32 | prev;
                for (int k = 1; k < minRun; k <<= 1) y &= y >> k;
                if (y != 0) return true;
                prev = cur;
            }
            run = BitOperations.LeadingZeroCount(~(uint)prev); // alphabet chars at the end of the last block
        }
        for (; i < s.Length; i++)
        {
            if (!RunAlphabet.Contains(s[i])) run = 0;
            else if (++run >= minRun) return true;
        }
        return false;
    }

    private static uint AlphabetMask(Vector256<ushort> c)
    {
        var letter = Vector256.LessThanOrEqual((c | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));
        var digit = Vector256.LessThanOrEqual(c - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
        var other = Vector256.Equals(c, Vector256.Create((ushort)'+')) | Vector256.Equals(c, Vector256.Create((ushort)'/'))
            | Vector256.Equals(c, Vector256.Create((ushort)'=')) | Vector256.Equals(c, Vector256.Create((ushort)'_'))
            | Vector256.Equals(c, Vector256.Create((ushort)'-'));
        return (letter | digit | other).ExtractMostSignificantBits();
    }

    /// <summary>
    /// The whole content with whitespace removed, when it could be one payload of at least <paramref name="minLength"/>
    /// chars; null otherwise. <paramref name="owner"/>, when given, is the string behind <paramref name="content"/> and is
    /// returned as is when there is no whitespace to remove.
    /// </summary>
    public static string? WholeCandidate(ReadOnlySpan<char> content, int minLength, string? owner = null)
    {
        if (content.Length < minLength || content.IndexOfAnyExcept(WholeAlphabet) >= 0) return null;
        if (content.IndexOfAny(" \t\r\n") < 0) return owner ?? content.ToString();
        int whitespace = content.Count(' ') + content.Count('\t') + content.Count('\r') + content.Count('\n');
        if (content.Length - whitespace < minLength) return null;
        var sb = new StringBuilder(content.Length);
        foreach (char c in content) if (c is not (' ' or '\t' or '\r' or '\n')) sb.Append(c);
        return sb.ToString();
    }

    /// <summary>Alphabet runs ≥16 chars ('=' ends a run, then up to two '=' are reattached as padding).</summary>
    public static List<string> Segments(ReadOnlySpan<char> content)
    {
        List<string>? list = null;
        for (int pos = 0; ;)
        {
            int start = NextRun(content, pos, MinSegment - 2);
            if (start < 0) break;
            int i = start + MinSegment - 2;
            while (i < content.Length && IsSegmentChar(content[i])) i++;
            int end = i;
            while (end < content.Length && end - i < 2 && content[end] == '=') end++;
            if (end - start >= MinSegment)
            {
                (list ??= []).Add(content[start..end].ToString());
                if (list.Count >= MaxSegmentsPerLayer) break;
            }
            pos = i;
        }
        return list ?? [];
    }

    /// <summary>
    /// Start of the first run of at least <paramref name="minRun"/> (≤ 32) segment characters at or after
    /// <paramref name="pos"/>, or -1. Called at run boundaries, so the first such start is where a run begins.
    /// Runs are found 32 positions at a time with shift-and on a 64-char membership mask; prose (many short words)
    /// is skipped without a per-word loop.
    /// </summary>
    private static int NextRun(ReadOnlySpan<char> s, int pos, int minRun)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
            for (; pos + 64 <= s.Length; pos += 32)
            {
                ulong m = SegmentMask(Vector256.LoadUnsafe(ref src, (nuint)pos))
                    | (ulong)SegmentMask(Vector256.LoadUnsafe(ref src, (nuint)pos + 16)) << 16
                    | (ulong)SegmentMask(Vector256.LoadUnsafe(ref src, (nuint)pos + 32)) << 32
                    | (ulong)SegmentMask(Vector256.LoadUnsafe(ref src, (nuint)pos + 48)) << 48;
                // Bit j survives when bits j..j+minRun-1 are all set.
                ulong y = m;
                int covered = 1;
                while (covered < minRun)
                {
                    int step = Math.Min(covered, minRun - covered);
                    y &= y >> step;
                    covered += step;
                }
                uint starts = (uint)y;
                if (starts != 0) return pos + BitOperations.TrailingZeroCount(starts);
            }
        }
        for (int run = 0, i = pos; i < s.Length; i++)
        {
            if (!IsSegmentChar(s[i])) run = 0;
            else if (++run >= minRun) return i - minRun + 1;
        }
        return -1;
    }

    private static uint SegmentMask(Vector256<ushort> c)
    {
        var letter = Vector256.LessThanOrEqual((c | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));
        var digit = Vector256.LessThanOrEqual(c - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
        var other = Vector256.Equals(c, Vector256.Create((ushort)'+')) | Vector256.Equals(c, Vector256.Create((ushort)'/'))
            | Vector256.Equals(c, Vector256.Create((ushort)'_')) | Vector256.Equals(c, Vector256.Create((ushort)'-'));
        return (letter | digit | other).ExtractMostSignificantBits();
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
