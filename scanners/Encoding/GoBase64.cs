namespace Pipelock.Scanners.Encoding;

/// <summary>
/// Base64 decoders with Go's strictness (encoding/base64 <c>DecodeString</c>, non-strict mode): Std/URL require
/// correct '=' padding, Raw* reject it, only '\r' and '\n' are skipped, and non-zero trailing bits are accepted
/// (Go's default decoders do not call <c>Strict()</c>). Which variants "succeed" decides which decoded layers
/// Pipelock scans, so this is a port of <c>decodeQuantum</c>, not a call to <see cref="Convert.FromBase64String(string)"/>.
/// </summary>
public static class GoBase64
{
    public enum Variant { Std, Url, RawStd, RawUrl }

    private static readonly sbyte[] StdMap = BuildMap("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    private static readonly sbyte[] UrlMap = BuildMap("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static sbyte[] BuildMap(string alphabet)
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (int i = 0; i < alphabet.Length; i++) map[alphabet[i]] = (sbyte)i;
        return map;
    }

    /// <summary>Decodes like Go's <c>XxxEncoding.DecodeString</c>; false on any CorruptInputError. Empty input decodes to empty.</summary>
    public static bool TryDecode(ReadOnlySpan<char> input, Variant variant, out byte[] bytes)
    {
        bytes = [];
        var map = variant is Variant.Std or Variant.RawStd ? StdMap : UrlMap;
        bool padded = variant is Variant.Std or Variant.Url;
        var dst = new byte[input.Length / 4 * 3 + 3];
        int n = 0, si = 0;
        while (si < input.Length)
        {
            int r = DecodeQuantum(dst.AsSpan(n), input, ref si, map, padded);
            if (r < 0) return false;
            n += r;
        }
        bytes = n == dst.Length ? dst : dst.AsSpan(0, n).ToArray();
        return true;
    }

    /// <summary>Port of Go's decodeQuantum: returns the bytes written, or -1 for corrupt input.</summary>
    private static int DecodeQuantum(Span<byte> dst, ReadOnlySpan<char> src, ref int si, sbyte[] map, bool padded)
    {
        Span<int> dbuf = stackalloc int[4];
        int dlen = 4;
        for (int j = 0; j < 4; j++)
        {
            if (si == src.Length)
            {
                if (j == 0) return 0;
                if (j == 1 || padded) return -1;
                dlen = j;
                break;
            }
            char c = src[si++];
            int v = c < 128 ? map[c] : -1;
            if (v >= 0) { dbuf[j] = v; continue; }
            if (c is '\n' or '\r') { j--; continue; }
            if (!padded || c != '=') return -1;

            // Padding: only valid after two or three data characters of the quantum.
            if (j < 2) return -1;
            if (j == 2)
            {
                while (si < src.Length && src[si] is '\n' or '\r') si++;
                if (si == src.Length || src[si] != '=') return -1;
                si++;
            }
            while (si < src.Length && src[si] is '\n' or '\r') si++;
            if (si < src.Length) return -1; // trailing garbage after padding
            dlen = j;
            break;
        }

        int val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
        switch (dlen)
        {
            case 4:
                dst[0] = (byte)(val >> 16); dst[1] = (byte)(val >> 8); dst[2] = (byte)val;
                return 3;
            case 3:
                dst[0] = (byte)(val >> 16); dst[1] = (byte)(val >> 8);
                return 2;
            default:
                dst[0] = (byte)(val >> 16);
                return 1;
        }
    }
}
