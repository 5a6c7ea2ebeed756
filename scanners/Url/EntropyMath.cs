namespace Pipelock.Scanners.Url;

/// <summary>
/// Shannon entropy in bits per rune, as Pipelock computes it.
/// TODO: switch to Pipelock.Scanners.Encoding.ShannonEntropy once it lands on main.
/// </summary>
internal static class EntropyMath
{
    public static double BitsPerRune(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return 0;
        Span<int> ascii = stackalloc int[128];
        Dictionary<int, int>? other = null;
        int total = 0;
        for (int i = 0; i < s.Length; i++)
        {
            int r = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                r = char.ConvertToUtf32(s[i], s[++i]);
            total++;
            if (r < 128) ascii[r]++;
            else
            {
                other ??= new();
                other[r] = other.GetValueOrDefault(r) + 1;
            }
        }
        double h = 0;
        foreach (var c in ascii) if (c > 0) h -= Term(c, total);
        if (other is not null) foreach (var c in other.Values) h -= Term(c, total);
        return h;
    }

    public static int RuneCount(ReadOnlySpan<char> s)
    {
        int n = s.Length;
        foreach (var c in s) if (char.IsLowSurrogate(c)) n--;
        return n;
    }

    private static double Term(int count, int total)
    {
        double p = (double)count / total;
        return p * Math.Log2(p);
    }
}
