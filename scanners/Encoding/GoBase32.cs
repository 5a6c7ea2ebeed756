namespace Pipelock.Scanners.Encoding;

/// <summary>
/// RFC 4648 base32 (Go's <c>base32.StdEncoding</c>, or <c>StdEncoding.WithPadding(NoPadding)</c> when unpadded), ported
/// from Go's <c>decode</c> so the same inputs succeed or fail: '\r'/'\n' stripped first, uppercase alphabet only,
/// padded form needs a full 8-char final quantum with valid padding length.
/// </summary>
public static class GoBase32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly sbyte[] Map = BuildMap();

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++) map[Alphabet[i]] = (sbyte)i;
        return map;
    }

    public static bool TryDecode(ReadOnlySpan<char> input, bool padded, out byte[] bytes)
    {
        bytes = [];
        // Go strips newlines before decoding.
        char[]? rented = null;
        ReadOnlySpan<char> src = input;
        if (input.ContainsAny('\r', '\n'))
        {
            rented = new char[input.Length];
            int k = 0;
            foreach (char c in input) if (c is not ('\r' or '\n')) rented[k++] = c;
            src = rented.AsSpan(0, k);
        }

        var dst = new byte[src.Length / 8 * 5 + 5];
        int n = 0, dsti = 0, pos = 0;
        bool end = false;
        Span<int> dbuf = stackalloc int[8];
        while (pos < src.Length && !end)
        {
            dbuf.Clear();
            int dlen = 8;
            for (int j = 0; j < 8;)
            {
                if (pos == src.Length)
                {
                    if (padded) return false; // missing padding
                    dlen = j; end = true;
                    break;
                }
                char c = src[pos++];
                int remaining = src.Length - pos;
                if (padded && c == '=' && j >= 2 && remaining < 8)
                {
                    if (remaining + j < 7) return false; // not enough padding
                    for (int k = 0; k < 7 - j; k++)
                        if (remaining > k && src[pos + k] != '=') return false;
                    dlen = j; end = true;
                    if (dlen is 1 or 3 or 6) return false;
                    break;
                }
                int v = c < 128 ? Map[c] : -1;
                if (v < 0) return false;
                dbuf[j++] = v;
            }

            // Go's switch: dlen 1, 3, 6 (possible only unpadded) write nothing for the final quantum.
            switch (dlen)
            {
                case 8: dst[dsti + 4] = (byte)(dbuf[6] << 5 | dbuf[7]); n++; goto case 7;
                case 7: dst[dsti + 3] = (byte)(dbuf[4] << 7 | dbuf[5] << 2 | dbuf[6] >> 3); n++; goto case 5;
                case 5: dst[dsti + 2] = (byte)(dbuf[3] << 4 | dbuf[4] >> 1); n++; goto case 4;
                case 4: dst[dsti + 1] = (byte)(dbuf[1] << 6 | dbuf[2] << 1 | dbuf[3] >> 4); n++; goto case 2;
                case 2: dst[dsti] = (byte)(dbuf[0] << 3 | dbuf[1] >> 2); n++; break;
            }
            dsti += 5;
        }
        bytes = dst.AsSpan(0, n).ToArray();
        return true;
    }
}
