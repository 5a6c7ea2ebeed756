using System.Buffers;
using System.Text;

namespace Pipelock.Scanners.Normalize;

/// <summary>
/// Managed NFD / NFKC (UAX #15). The repository builds with <c>InvariantGlobalization</c>, where
/// <see cref="string.Normalize(NormalizationForm)"/> leaves non-ASCII text unchanged, which would silently disable
/// every NFKC-based evasion defence. Data comes from <see cref="UnicodeTables"/> (generated, Unicode 14).
/// Invalid UTF-16 (lone surrogates) becomes U+FFFD, as Go's range over an invalid string does.
/// </summary>
internal static class UnicodeNormalizer
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    public static string Nfd(string s) => Run(s, compat: false, compose: false);

    public static string Nfkc(string s) => Run(s, compat: true, compose: true);

    private static string Run(string s, bool compat, bool compose)
    {
        // Below U+00A0 nothing decomposes, composes or reorders (U+00A0 itself is NBSP, compat-decomposed).
        int first = s.AsSpan().IndexOfAnyExceptInRange('\0', '\u009F');
        if (first < 0) return s;

        // Only the stretches around non-ASCII text go through the code-point pipeline; ASCII runs are copied.
        // A boundary before a character below U+00A0 is safe: such a character is a starter that never composes
        // with what precedes it. The last character of an ASCII run stays with the following stretch because a
        // combining mark after it may compose with it ("e" + U+0301).
        int[] buf = ArrayPool<int>.Shared.Rent(64);
        var sb = new StringBuilder(s.Length + 16);
        try
        {
            int pos = 0;
            while (pos < s.Length)
            {
                int rel = s.AsSpan(pos).IndexOfAnyExceptInRange('\0', '\u009F');
                if (rel < 0) { sb.Append(s, pos, s.Length - pos); break; }
                int stretchStart = pos + rel > pos ? pos + rel - 1 : pos;
                sb.Append(s, pos, stretchStart - pos);
                int end = pos + rel;
                int asciiAfter = s.AsSpan(end).IndexOfAnyInRange('\0', '\u009F');
                end = asciiAfter < 0 ? s.Length : end + asciiAfter;

                int n = 0;
                for (int i = stretchStart; i < end;)
                {
                    Rune.DecodeFromUtf16(s.AsSpan(i, end - i), out var rune, out int used);
                    i += used;
                    Decompose(rune.Value, compat, ref buf, ref n);
                }
                ReorderMarks(buf.AsSpan(0, n));
                if (compose) n = Compose(buf.AsSpan(0, n));
                foreach (int cp in buf.AsSpan(0, n))
                {
                    if (cp <= 0xFFFF) sb.Append((char)cp);
                    else sb.Append(char.ConvertFromUtf32(cp));
                }
                pos = end;
            }
            return sb.Length == s.Length && sb.Equals(s.AsSpan()) ? s : sb.ToString();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buf);
        }
    }

    private static void Decompose(int cp, bool compat, ref int[] buf, ref int n)
    {
        EnsureRoom(ref buf, n, 18);
        if (cp is >= SBase and < SBase + SCount)
        {
            int si = cp - SBase;
            buf[n++] = LBase + si / NCount;
            buf[n++] = VBase + si % NCount / TCount;
            if (si % TCount != 0) buf[n++] = TBase + si % TCount;
            return;
        }
        if (cp < 0xA0) { buf[n++] = cp; return; }
        var keys = compat ? UnicodeTables.NfkdKeys : UnicodeTables.NfdKeys;
        int idx = keys.BinarySearch(cp);
        if (idx < 0) { buf[n++] = cp; return; }
        int info = compat ? UnicodeTables.NfkdInfo[idx] : UnicodeTables.NfdInfo[idx];
        var data = (compat ? UnicodeTables.NfkdData : UnicodeTables.NfdData).Slice(info >> 8, info & 0xFF);
        // Tabulated decompositions are already full and canonically ordered; Hangul inside them is not possible.
        data.CopyTo(buf.AsSpan(n));
        n += data.Length;
    }

    private static void EnsureRoom(ref int[] buf, int n, int extra)
    {
        if (n + extra <= buf.Length) return;
        var bigger = ArrayPool<int>.Shared.Rent(Math.Max(buf.Length * 2, n + extra));
        buf.AsSpan(0, n).CopyTo(bigger);
        ArrayPool<int>.Shared.Return(buf);
        buf = bigger;
    }

    internal static int CombiningClass(int cp)
    {
        if (cp < 0x300) return 0;
        var t = UnicodeTables.Ccc;
        int lo = 0, hi = t.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int k = t[mid * 2];
            if (k == cp) return t[mid * 2 + 1];
            if (k < cp) lo = mid + 1; else hi = mid - 1;
        }
        return 0;
    }

    /// <summary>Canonical ordering: stable sort of each run of non-starters by combining class.</summary>
    private static void ReorderMarks(Span<int> cps)
    {
        for (int i = 1; i < cps.Length; i++)
        {
            int cc = CombiningClass(cps[i]);
            if (cc == 0) continue;
            int j = i;
            int cur = cps[i];
            while (j > 0)
            {
                int prev = CombiningClass(cps[j - 1]);
                if (prev <= cc) break;
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = cur;
        }
    }

    /// <summary>Canonical composition; returns the new length.</summary>
    private static int Compose(Span<int> cps)
    {
        if (cps.Length == 0) return 0;
        int starter = CombiningClass(cps[0]) == 0 ? 0 : -1;
        int lastClass = -1; // -1: nothing between the starter and the current character
        int w = 1;
        for (int r = 1; r < cps.Length; r++)
        {
            int ch = cps[r];
            int cc = CombiningClass(ch);
            if (starter >= 0 && (lastClass == -1 || (lastClass != 0 && lastClass < cc)))
            {
                int composite = ComposePair(cps[starter], ch);
                if (composite >= 0)
                {
                    cps[starter] = composite;
                    continue;
                }
            }
            if (cc == 0) { starter = w; lastClass = -1; }
            else lastClass = cc;
            cps[w++] = ch;
        }
        return w;
    }

    private static int ComposePair(int a, int b)
    {
        if (a is >= LBase and < LBase + LCount && b is >= VBase and < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a is >= SBase and < SBase + SCount && (a - SBase) % TCount == 0 && b is > TBase and < TBase + TCount)
            return a + (b - TBase);
        int idx = UnicodeTables.CompKeys.BinarySearch(((long)a << 21) | (uint)b);
        return idx >= 0 ? UnicodeTables.CompValues[idx] : -1;
    }
}
