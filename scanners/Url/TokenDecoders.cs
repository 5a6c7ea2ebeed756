namespace Pipelock.Scanners.Url;

/// <summary>
/// Pipelock's <c>decodeEncodings</c> for URL tokens: hex (plain or delimited), base64 Std/URL/RawStd/RawURL and base32 Std,
/// with Go's strictness (which variants "succeed" decides what is scanned).
/// TODO: switch to Pipelock.Scanners.Encoding.GoBase64/GoHex/GoBase32 once they are implemented on main (stubs today).
/// </summary>
internal static class TokenDecoders
{
    /// <summary>Tokens shorter than this are not decoded: no credential fits in fewer encoded chars, and it keeps clean URLs cheap.</summary>
    public const int MinTokenLength = 8;

    /// <summary>Decoded payloads shorter than this cannot hold a credential worth reporting.</summary>
    private const int MinDecodedLength = 6;

    public static void Decode(ReadOnlySpan<char> token, List<(string Text, string Encoding)> output)
    {
        if (token.Length < MinTokenLength) return;
        if (TryHex(token, out var b) || TryDelimitedHex(token, out b)) Add(b, "hex", output);
        if (TryBase64(token, urlSafe: false, padded: true, out b)) Add(b, "base64", output);
        if (TryBase64(token, urlSafe: true, padded: true, out b)) Add(b, "base64", output);
        if (TryBase64(token, urlSafe: false, padded: false, out b)) Add(b, "base64", output);
        if (TryBase64(token, urlSafe: true, padded: false, out b)) Add(b, "base64", output);
        if (TryBase32(token, out b)) Add(b, "base32", output);
    }

    private static void Add(byte[] bytes, string encoding, List<(string, string)> output)
    {
        if (bytes.Length < MinDecodedLength) return;
        var s = System.Text.Encoding.UTF8.GetString(bytes);
        foreach (var (t, e) in output) if (e == encoding && t == s) return;
        output.Add((s, encoding));
    }

    public static bool TryHex(ReadOnlySpan<char> s, out byte[] bytes)
    {
        bytes = [];
        if (s.Length < 4 || (s.Length & 1) != 0) return false;
        foreach (var c in s) if (!char.IsAsciiHexDigit(c)) return false;
        bytes = Convert.FromHexString(s);
        return true;
    }

    /// <summary>normalizeHex: strip \x, \X, 0x, 0X prefixes and ':', ' ', '-', ',' delimiters, then plain hex.</summary>
    public static bool TryDelimitedHex(ReadOnlySpan<char> s, out byte[] bytes)
    {
        bytes = [];
        if (s.IndexOfAny(":- ,\\xX") < 0) return false;
        Span<char> buf = s.Length <= 512 ? stackalloc char[s.Length] : new char[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if ((c == '\\' || c == '0') && i + 1 < s.Length && (s[i + 1] | 0x20) == 'x') { i++; continue; }
            if (c is ':' or ' ' or '-' or ',') continue;
            buf[n++] = c;
        }
        return n != s.Length && TryHex(buf[..n], out bytes);
    }

    public static bool TryBase64(ReadOnlySpan<char> s, bool urlSafe, bool padded, out byte[] bytes)
    {
        bytes = [];
        // Go skips only '\r' and '\n'; URL tokens never contain them after our splitting, so they are simply rejected.
        int len = s.Length;
        int pad = 0;
        if (padded)
        {
            if (len % 4 != 0) return false;
            while (pad < 2 && len > 0 && s[len - 1 - pad] == '=') pad++;
        }
        else if (len % 4 == 1) return false;
        int dataLen = len - pad;
        var outBytes = new byte[dataLen * 6 / 8];
        int acc = 0, bits = 0, o = 0;
        for (int i = 0; i < dataLen; i++)
        {
            int v = Sextet(s[i], urlSafe);
            if (v < 0) return false;
            acc = acc << 6 | v;
            bits += 6;
            if (bits >= 8) { bits -= 8; outBytes[o++] = (byte)(acc >> bits); acc &= (1 << bits) - 1; }
        }
        bytes = o == outBytes.Length ? outBytes : outBytes[..o];
        return true;
    }

    private static int Sextet(char c, bool urlSafe) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' when !urlSafe => 62,
        '/' when !urlSafe => 63,
        '-' when urlSafe => 62,
        '_' when urlSafe => 63,
        _ => -1,
    };

    /// <summary>RFC 4648 base32 StdEncoding (upper-case alphabet), padded or unpadded.</summary>
    public static bool TryBase32(ReadOnlySpan<char> s, out byte[] bytes)
    {
        bytes = [];
        int len = s.Length;
        if (len % 8 == 0) while (len > 0 && s[len - 1] == '=') len--;
        if (s.Length - len > 6) return false;
        // Valid unpadded lengths mod 8 are 0, 2, 4, 5, 7.
        if ((len % 8) is 1 or 3 or 6) return false;
        var outBytes = new byte[len * 5 / 8];
        int acc = 0, bits = 0, o = 0;
        for (int i = 0; i < len; i++)
        {
            char c = s[i];
            int v = c is >= 'A' and <= 'Z' ? c - 'A' : c is >= '2' and <= '7' ? c - '2' + 26 : -1;
            if (v < 0) return false;
            acc = (acc << 5 | v) & 0xFFFF;
            bits += 5;
            if (bits >= 8) { bits -= 8; outBytes[o++] = (byte)(acc >> bits); }
        }
        bytes = o == outBytes.Length ? outBytes : outBytes[..o];
        return true;
    }
}
