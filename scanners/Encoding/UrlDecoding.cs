
namespace Pipelock.Scanners.Encoding;

/// <summary>Go's <c>url.QueryUnescape</c> and Pipelock's <c>IterativeDecode</c> (unescape until fixpoint, at most 500 rounds).</summary>
public static class UrlDecoding
{
    public const int MaxRounds = 500;

    /// <summary>
    /// '+' becomes a space, "%XX" a byte; a '%' not followed by two hex digits fails the whole string (Go's EscapeError).
    /// Decoded bytes are read as UTF-8 (invalid sequences become U+FFFD, as Go's later rune handling would).
    /// </summary>
    public static bool QueryUnescape(string s, out string result)
    {
        result = s;
        int pct = 0;
        bool plus = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !GoHex.IsHexDigit(s[i + 1]) || !GoHex.IsHexDigit(s[i + 2])) return false;
                pct++;
                i += 2;
            }
            else if (c == '+') plus = true;
        }
        if (pct == 0 && !plus) return true;
        if (pct == 0) { result = s.Replace('+', ' '); return true; }

        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(s.Length)];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                bytes[n++] = Convert.ToByte(s.Substring(i + 1, 2), 16);
                i += 2;
            }
            else if (c == '+') bytes[n++] = (byte)' ';
            else if (c < 0x80) bytes[n++] = (byte)c;
            else
            {
                // Non-ASCII chars pass through as their UTF-8 bytes, like Go strings (surrogate pairs kept together).
                int len = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
                n += System.Text.Encoding.UTF8.GetBytes(s.AsSpan(i, len), bytes.AsSpan(n));
                i += len - 1;
            }
        }
        result = System.Text.Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    /// <summary>Unescapes until the value stops changing or an escape is invalid (then the last good value is kept).</summary>
    public static string IterativeDecode(string s)
    {
        for (int i = 0; i < MaxRounds; i++)
        {
            if (!QueryUnescape(s, out var decoded) || decoded == s) return s;
            s = decoded;
        }
        return s;
    }
}
