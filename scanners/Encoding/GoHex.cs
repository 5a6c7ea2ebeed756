namespace Pipelock.Scanners.Encoding;

/// <summary>
/// Hex decoding as Pipelock does it: plain even-length hex (at least 4 digits, either case), or delimited hex after
/// <c>normalizeHex</c> strips <c>\x</c>, <c>\X</c>, <c>0x</c>, <c>0X</c> prefixes and ':', ' ', '-', ',' delimiters.
/// </summary>
public static class GoHex
{
    /// <summary>Shortest hex string Pipelock tries to decode (2 bytes).</summary>
    public const int MinDigits = 4;

    public static bool TryDecode(ReadOnlySpan<char> input, out byte[] bytes)
    {
        bytes = [];
        if (input.Length < MinDigits || (input.Length & 1) != 0) return false;
        var dst = new byte[input.Length / 2];
        for (int i = 0; i < dst.Length; i++)
        {
            int hi = Nibble(input[2 * i]), lo = Nibble(input[2 * i + 1]);
            if ((hi | lo) < 0) return false;
            dst[i] = (byte)(hi << 4 | lo);
        }
        bytes = dst;
        return true;
    }

    /// <summary>Strips prefixes and delimiters (same order as Pipelock's ReplaceAll chain), then <see cref="TryDecode"/>.</summary>
    public static bool TryDecodeDelimited(ReadOnlySpan<char> input, out byte[] bytes)
    {
        bytes = [];
        if (input.Length < MinDigits) return false;
        var s = Normalize(input);
        return TryDecode(s, out bytes);
    }

    /// <summary>normalizeHex: ReplaceAll of "\x", "\X", "0x", "0X" (in that order), then removal of ':', ' ', '-', ','.</summary>
    public static string Normalize(ReadOnlySpan<char> input)
    {
        string s = input.ToString();
        if (s.Contains('\\') || s.Contains('x') || s.Contains('X'))
            s = s.Replace("\\x", "", StringComparison.Ordinal).Replace("\\X", "", StringComparison.Ordinal)
                 .Replace("0x", "", StringComparison.Ordinal).Replace("0X", "", StringComparison.Ordinal);
        if (s.AsSpan().IndexOfAny(":- ,") < 0) return s;
        return string.Create(s.Length - Count(s), s, static (span, src) =>
        {
            int k = 0;
            foreach (char c in src) if (c is not (':' or ' ' or '-' or ',')) span[k++] = c;
        });
    }

    private static int Count(string s)
    {
        int n = 0;
        foreach (char c in s) if (c is ':' or ' ' or '-' or ',') n++;
        return n;
    }

    public static bool IsHexDigit(char c) => Nibble(c) >= 0;

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
