
namespace Pipelock.Scanners.Encoding;

/// <summary>Shannon entropy in bits per character, counted over runes like Pipelock's <c>ShannonEntropy</c>.</summary>
public static class ShannonEntropy
{
    public static double BitsPerChar(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return 0;
        Span<int> ascii = stackalloc int[128];
        ascii.Clear();
        Dictionary<int, int>? other = null;
        int total = 0;
        foreach (var r in s.EnumerateRunes())
        {
            total++;
            if (r.Value < 128) { ascii[r.Value]++; continue; }
            other ??= new Dictionary<int, int>();
            other[r.Value] = other.GetValueOrDefault(r.Value) + 1;
        }
        double h = 0;
        foreach (int c in ascii) if (c > 0) h -= Term(c, total);
        if (other is not null) foreach (int c in other.Values) h -= Term(c, total);
        return h;
    }

    private static double Term(int count, int total)
    {
        double p = (double)count / total;
        return p * Math.Log2(p);
    }

    /// <summary>Convenience for byte strings (decoded layers), one byte per symbol.</summary>
    public static double BitsPerByte(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return 0;
        Span<int> counts = stackalloc int[256];
        counts.Clear();
        foreach (byte b in s) counts[b]++;
        double h = 0;
        foreach (int c in counts) if (c > 0) h -= Term(c, s.Length);
        return h;
    }
}
