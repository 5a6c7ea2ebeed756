namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Case-insensitive multi-keyword finder for the DLP pre-filter. A bitmap over ASCII trigrams (and bigrams for
/// two-letter keywords) rejects almost every text position with one table lookup, and only candidate positions
/// are verified against the keyword list. Measured much faster than a 250-needle <c>SearchValues&lt;string&gt;</c>
/// (which degrades to a scalar automaton) on clean text.
/// </summary>
internal sealed class KeywordIndex
{
    private readonly ulong[] _tri = new ulong[(1 << 21) / 64];
    private readonly ulong[] _bi = new ulong[(1 << 14) / 64];
    private readonly Dictionary<int, (string Keyword, int Id)[]> _byTri = [];
    private readonly Dictionary<int, (string Keyword, int Id)[]> _byBi = [];
    private readonly bool _hasBi;

    /// <param name="keywords">Keywords (at least 2 chars) with an id each; ids may repeat.</param>
    public KeywordIndex(IEnumerable<(string Keyword, int Id)> keywords)
    {
        var tri = new Dictionary<int, List<(string, int)>>();
        var bi = new Dictionary<int, List<(string, int)>>();
        foreach (var (k, id) in keywords)
        {
            if (k.Length < 2) throw new ArgumentException($"keyword '{k}' shorter than 2 chars");
            if (k.Length == 2)
            {
                int h = Bi(k[0], k[1]);
                _bi[h >> 6] |= 1UL << (h & 63);
                (bi.TryGetValue(h, out var l) ? l : bi[h] = []).Add((k, id));
                _hasBi = true;
            }
            else
            {
                int h = Tri(k[0], k[1], k[2]);
                _tri[h >> 6] |= 1UL << (h & 63);
                (tri.TryGetValue(h, out var l) ? l : tri[h] = []).Add((k, id));
            }
        }
        foreach (var (h, l) in tri) _byTri[h] = [.. l];
        foreach (var (h, l) in bi) _byBi[h] = [.. l];
    }

    private static int Tri(char a, char b, char c) => Code[a] << 14 | Code[b] << 7 | Code[c];
    private static int Bi(char a, char b) => Code[a] << 7 | Code[b];

    /// <summary>7-bit case-folded code per char; non-ASCII maps to 127 (only a filter: candidates are verified).</summary>
    private static readonly byte[] Code = BuildCode();

    private static byte[] BuildCode()
    {
        var t = new byte[65536];
        for (int c = 0; c < 65536; c++) t[c] = (byte)(c < 128 ? (c | 0x20) & 0x7F : 127);
        return t;
    }

    /// <summary>Calls <paramref name="onHit"/>(position, id) for every keyword occurrence, up to <paramref name="maxHits"/>; returns the hit count.</summary>
    public int Find<TState>(ReadOnlySpan<char> s, int maxHits, ref TState state, HitCallback<TState> onHit)
    {
        int hits = 0;
        var tri = _tri;
        var bi = _bi;
        var code = Code;
        bool hasBi = _hasBi;
        int h = 0;
        for (int i = 0; i < s.Length; i++)
        {
            // Rolling 21-bit key of the last three folded chars; the low 14 bits are the last two.
            h = (h << 7 | code[s[i]]) & 0x1FFFFF;
            if (i >= 2 && (tri[h >> 6] & 1UL << (h & 63)) != 0 && _byTri.TryGetValue(h, out var cands))
            {
                int start = i - 2;
                foreach (var (k, id) in cands)
                    if (s[start..].StartsWith(k, StringComparison.OrdinalIgnoreCase))
                    {
                        onHit(start, id, ref state);
                        if (++hits >= maxHits) return hits;
                    }
            }
            if (hasBi && i >= 1)
            {
                int h2 = h & 0x3FFF;
                if ((bi[h2 >> 6] & 1UL << (h2 & 63)) != 0 && _byBi.TryGetValue(h2, out var c2))
                {
                    int start = i - 1;
                    foreach (var (k, id) in c2)
                        if (s[start..].StartsWith(k, StringComparison.OrdinalIgnoreCase))
                        {
                            onHit(start, id, ref state);
                            if (++hits >= maxHits) return hits;
                        }
                }
            }
        }
        return hits;
    }

    public delegate void HitCallback<TState>(int position, int id, ref TState state);
}
