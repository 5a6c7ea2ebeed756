using System.Buffers;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Go net/url percent-decoding over string ranges, in path mode ('+' kept) as well as query mode, plus the lenient
/// iterative decode URL/body DLP needs. Pipelock.Scanners.Encoding.UrlDecoding covers the strict query-mode cases only.
/// </summary>
internal static class UrlCodec
{
    /// <summary>Pipelock's cap on decode rounds (IterativeDecode).</summary>
    public const int MaxDecodeRounds = 500;

    /// <summary>Go <c>url.QueryUnescape</c> (plusIsSpace) or <c>url.PathUnescape</c>. False on a malformed escape.</summary>
    public static bool TryUnescape(string s, bool plusIsSpace, out string result) =>
        TryUnescape(s, 0, s.Length, plusIsSpace, out result);

    public static bool TryUnescape(string s, int start, int length, bool plusIsSpace, out string result)
    {
        var span = s.AsSpan(start, length);
        int first = plusIsSpace ? span.IndexOfAny('%', '+') : span.IndexOf('%');
        if (first < 0)
        {
            result = start == 0 && length == s.Length ? s : s.Substring(start, length);
            return true;
        }
        // Validate first (Go reports malformed escapes before decoding anything).
        for (int i = first; i < span.Length; i++)
        {
            if (span[i] != '%') continue;
            if (i + 2 >= span.Length || !IsHex(span[i + 1]) || !IsHex(span[i + 2])) { result = ""; return false; }
            i += 2;
        }
        result = Decode(span, plusIsSpace);
        return true;
    }

    private static string Decode(ReadOnlySpan<char> span, bool plusIsSpace)
    {
        // Escapes produce bytes; other chars are re-encoded as UTF-8 so mixed input decodes like Go's byte strings.
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(span.Length);
        byte[]? rented = null;
        Span<byte> buf = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        int n = 0;
        for (int i = 0; i < span.Length; i++)
        {
            char c = span[i];
            if (c == '%' && i + 2 < span.Length && IsHex(span[i + 1]) && IsHex(span[i + 2])) { buf[n++] = (byte)(FromHex(span[i + 1]) << 4 | FromHex(span[i + 2])); i += 2; }
            else if (c == '+' && plusIsSpace) buf[n++] = (byte)' ';
            else if (c < 0x80) buf[n++] = (byte)c;
            else
            {
                int len = char.IsHighSurrogate(c) && i + 1 < span.Length ? 2 : 1;
                n += System.Text.Encoding.UTF8.GetBytes(span.Slice(i, len), buf[n..]);
                i += len - 1;
            }
        }
        var s = System.Text.Encoding.UTF8.GetString(buf[..n]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return s;
    }

    /// <summary>
    /// Decoding for DLP targets: valid escapes are decoded and malformed ones kept literally, iterated to a fixpoint.
    /// Go would refuse the whole string, which would let one stray "%zz" hide an encoded secret elsewhere in it.
    /// </summary>
    public static string LenientIterativeDecode(string s)
    {
        // Work bound: each round is O(length), so huge inputs get fewer rounds (16M chars of total work at most).
        int rounds = Math.Clamp(16_000_000 / Math.Max(1, s.Length), 1, MaxDecodeRounds);
        for (int i = 0; i < rounds; i++)
        {
            // Only the wire form's '+' means space; a '+' that came out of "%2B" is data (base64), so later rounds keep it.
            bool plus = i == 0;
            if ((plus ? s.AsSpan().IndexOfAny('%', '+') : s.IndexOf('%')) < 0) break;
            var d = Decode(s, plusIsSpace: plus);
            if (d == s) break;
            s = d;
        }
        return s;
    }

    /// <summary>True when every '%' starts a valid escape (Go's unescape validity).</summary>
    public static bool EscapesValid(ReadOnlySpan<char> span)
    {
        for (int i = span.IndexOf('%'); i >= 0 && i < span.Length; i++)
        {
            if (span[i] != '%') continue;
            if (i + 2 >= span.Length || !IsHex(span[i + 1]) || !IsHex(span[i + 2])) return false;
            i += 2;
        }
        return true;
    }

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static int FromHex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
