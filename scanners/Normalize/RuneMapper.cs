using System.Text;

namespace Pipelock.Scanners.Normalize;

/// <summary>A per-code-point rewrite: returns the replacement code point, or -1 to drop it.</summary>
internal interface IRuneMap
{
    static abstract int Map(int cp);

    /// <summary>True when the map leaves printable ASCII (U+0020..U+007E) alone, so ASCII runs can be skipped with a vector scan.</summary>
    static virtual bool KeepsPrintableAscii => true;
}

/// <summary>
/// Applies an <see cref="IRuneMap"/> over a string (Go's <c>strings.Map</c>). Struct generics let the JIT inline the map.
/// Returns the same instance when nothing changes; lone surrogates become U+FFFD like Go's invalid-UTF-8 handling.
/// </summary>
internal static class RuneMapper
{
    public static string Apply<TMap>(string s) where TMap : struct, IRuneMap
    {
        int i = 0;
        for (; i < s.Length;)
        {
            if (TMap.KeepsPrintableAscii)
            {
                int skip = s.AsSpan(i).IndexOfAnyExceptInRange(' ', '~');
                if (skip < 0) { i = s.Length; break; }
                i += skip;
            }
            char c = s[i];
            if (!char.IsSurrogate(c))
            {
                if (TMap.Map(c) != c) break;
                i++;
                continue;
            }
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var r, out int used) != System.Buffers.OperationStatus.Done || TMap.Map(r.Value) != r.Value) break;
            i += used;
        }
        if (i == s.Length) return s;

        // Every mapping here emits at most as many UTF-16 units as it consumes (a lone surrogate becomes one U+FFFD).
        var dst = s.Length <= 512 ? stackalloc char[s.Length] : new char[s.Length];
        s.AsSpan(0, i).CopyTo(dst);
        int w = i;
        while (i < s.Length)
        {
            if (TMap.KeepsPrintableAscii)
            {
                int skip = s.AsSpan(i).IndexOfAnyExceptInRange(' ', '~');
                if (skip < 0) skip = s.Length - i;
                s.AsSpan(i, skip).CopyTo(dst[w..]);
                w += skip;
                i += skip;
                if (i >= s.Length) break;
            }
            Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out int used);
            i += used;
            int m = TMap.Map(rune.Value);
            if (m < 0) continue;
            if (m <= 0xFFFF) dst[w++] = (char)m;
            else w += new Rune(m).EncodeToUtf16(dst[w..]);
        }
        return new string(dst[..w]);
    }
}
