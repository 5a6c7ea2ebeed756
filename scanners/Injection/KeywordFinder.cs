using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipelock.Scanners.Injection;

/// <summary>One keyword occurrence: where it starts and which keyword (<see cref="KeywordFinder.Keywords"/> index) it is.</summary>
internal readonly record struct KeywordHit(int Position, int Id);

/// <summary>
/// Finds every occurrence of a few hundred keywords in one pass, for the windows of <see cref="PatternSet"/>.
/// ASCII keywords (all are at least 3 chars) go through a filter on four characters: each char folded to 5 bits
/// (c &amp; 31, so case does not matter; vowels also fold to 'a' for the vowel-fold pass), plus one bit for "the char
/// before is not an ASCII word character", 21 bits per position, hashed into a 16 KB bitmap tested 16 positions at a
/// time (AVX2 gather; elsewhere in scalar code). Letter 4-grams map one to one; each keyword is filed under its least
/// common 4-gram by English letter frequency ("xter" for "the external", not "the "), 3-char keywords under every
/// 4th char, and a <see cref="Keyword.WordStart"/> keyword only after a non-word char ("dan" not in "pandang"), so few
/// prose positions pass and need verifying. A 300-needle <c>SearchValues&lt;string&gt;</c> degrades to a scalar
/// automaton and measured ~20x slower on prose.
/// Non-ASCII keywords (CJK) are found by a vectorised search for their first characters, and only in non-ASCII text.
/// </summary>
internal sealed class KeywordFinder
{
    /// <summary>
    /// The 21-bit key (4 chars × 5 bits and the word-start bit) is hashed to this many bits: a 16 KB bitmap stays in
    /// the L1 cache, where an exact 256 KB one made every gather slower than the few extra positives cost.
    /// </summary>
    private const int FilterBits = 17;

    private const int StartBit = 1 << 20;

    private readonly uint[] _filter = new uint[(1 << FilterBits) / 32];
    private readonly HashTable<(int Id, int Offset)> _buckets;
    private readonly HashTable<int> _short;
    private readonly bool _foldVowels;
    private readonly int[] _nonAscii;
    private readonly SearchValues<char>? _nonAsciiFirst;

    /// <summary>ASCII char → its canonical form for case-insensitive / case-sensitive keywords (lowercase, vowel-folded when folding).</summary>
    private readonly char[] _canonIgnoreCase = new char[128];
    private readonly char[] _canonExact = new char[128];

    /// <summary>Per keyword: its text in canonical form (ASCII keywords only).</summary>
    private readonly string[] _canon;
    private readonly Dictionary<char, int[]> _nonAsciiByFirst = [];

    /// <param name="keywords">Distinct keywords; their index is the hit id.</param>
    /// <param name="foldVowels">Match as if the text were vowel-folded (the keywords must already be).</param>
    public KeywordFinder(IReadOnlyList<Keyword> keywords, bool foldVowels)
    {
        Keywords = [.. keywords];
        _foldVowels = foldVowels;
        _codes = [.. Enumerable.Range(0, 32).Select(v => foldVowels && v is 5 or 9 or 15 or 21 ? 1 : v)];
        for (int c = 0; c < 128; c++)
        {
            char exact = foldVowels ? FoldVowel((char)c) : (char)c;
            _canonExact[c] = exact;
            _canonIgnoreCase[c] = char.ToLowerInvariant(exact);
        }
        _canon = [.. Keywords.Select(k => System.Text.Ascii.IsValid(k.Text)
            ? new string([.. k.Text.Select(ch => (k.CaseSensitive ? _canonExact : _canonIgnoreCase)[ch])])
            : k.Text)];
        var buckets = new Dictionary<int, List<(int, int)>>();
        var shortOnes = new Dictionary<int, List<int>>();
        var nonAscii = new List<int>();
        for (int id = 0; id < Keywords.Length; id++)
        {
            var k = Keywords[id].Text;
            if (!System.Text.Ascii.IsValid(k))
            {
                nonAscii.Add(id);
                continue;
            }
            if (k.Length < 3) throw new ArgumentException($"ASCII keyword '{k}' is shorter than 3 chars", nameof(keywords));
            if (k.Length == 3)
            {
                // Filed under every fourth char; verification looks it up by its first three.
                int h3 = Code(k[0]) << 10 | Code(k[1]) << 5 | Code(k[2]);
                for (int c = 0; c < 32; c++) File(h3 << 5 | c, k, 0, Keywords[id].WordStart);
                (shortOnes.TryGetValue(h3, out var sl) ? sl : shortOnes[h3] = []).Add(id);
                continue;
            }
            int offset = Rarest(k);
            int h = Hash(k[offset], k[offset + 1], k[offset + 2], k[offset + 3]);
            File(h, k, offset, Keywords[id].WordStart);
            (buckets.TryGetValue(h, out var l) ? l : buckets[h] = []).Add((id, offset));
        }
        _buckets = new HashTable<(int, int)>(buckets);
        _short = new HashTable<int>(shortOnes);
        _nonAscii = [.. nonAscii];
        if (_nonAscii.Length > 0)
        {
            // Non-ASCII keywords are found by their first character (every form OrdinalIgnoreCase equates with it),
            // a vectorised search that skips text without CJK at once; candidates are then compared in full.
            var byFirst = new Dictionary<char, List<int>>();
            foreach (int id in _nonAscii)
                foreach (char f in FirstForms(Keywords[id]))
                    (byFirst.TryGetValue(f, out var l) ? l : byFirst[f] = []).Add(id);
            foreach (var (f, l) in byFirst) _nonAsciiByFirst[f] = [.. l.Distinct()];
            _nonAsciiFirst = SearchValues.Create([.. byFirst.Keys]);
        }
    }

    /// <summary>The characters a keyword occurrence can start with.</summary>
    private static IEnumerable<char> FirstForms(Keyword k)
    {
        char first = k.Text[0];
        if (k.CaseSensitive) return [first];
        char upper = char.ToUpperInvariant(first);
        var forms = new List<char>();
        for (int c = 0; c <= char.MaxValue; c++)
            if (char.ToUpperInvariant((char)c) == upper) forms.Add((char)c);
        return forms;
    }

    public Keyword[] Keywords { get; }

    private void Set(int key)
    {
        int h = FilterIndex(key);
        _filter[h >> 5] |= 1u << (h & 31);
    }

    private static int FilterIndex(int key) => (int)((uint)key * 0x9E3779B1u >> (32 - FilterBits));

    /// <summary>
    /// Sets the filter bit of 4-gram hash <paramref name="h"/> taken at <paramref name="offset"/> in <paramref name="k"/>,
    /// under the word-start bit(s) an occurrence can show: fixed by the keyword's own previous char past offset 0, only
    /// "after a non-word char" for a word-start keyword, either otherwise.
    /// </summary>
    private void File(int h, string k, int offset, bool wordStart)
    {
        if (offset > 0) Set(IsAsciiWord(k[offset - 1]) ? h : h | StartBit);
        else if (wordStart) Set(h | StartBit);
        else { Set(h); Set(h | StartBit); }
    }

    /// <summary>Rough English frequency of each 5-bit code, per mille of letters (space and punctuation share codes with letters).</summary>
    private static readonly int[] LetterFrequency =
    [
        200, 82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 50, 34, 77, 85, 22, 4, 63, 66, 94, 31, 13, 27, 5, 23, 4, 1, 1, 1, 1, 5,
    ];

    /// <summary>Offset of the 4-gram least likely to occur in prose, so the filter passes few positions.</summary>
    private int Rarest(string k)
    {
        int best = 0;
        double bestScore = double.MaxValue;
        for (int o = 0; o + 4 <= k.Length; o++)
        {
            double score = (double)Frequency(k[o]) * Frequency(k[o + 1]) * Frequency(k[o + 2]) * Frequency(k[o + 3]);
            if (score < bestScore) { bestScore = score; best = o; }
        }
        return best;
    }

    private int Frequency(char c)
    {
        int code = Code(c);
        // The vowel fold sends a, e, i, o and u to one code.
        return _foldVowels && code == 1 ? 82 + 127 + 70 + 75 + 28 : LetterFrequency[code];
    }

    private int Code(char c) => _codes[c & 31];

    /// <summary>c &amp; 31 → filter code: the identity, or with e, i, o, u (5, 9, 15, 21) folded to a (1).</summary>
    private readonly int[] _codes;

    private int Hash(char a, char b, char c, char d) => Code(a) << 15 | Code(b) << 10 | Code(c) << 5 | Code(d);

    /// <summary>
    /// Appends every occurrence in <paramref name="text"/> to <paramref name="hits"/>, ordered by position. Returns
    /// false when <paramref name="maxHits"/> was reached (a keyword flood): the caller must not rely on the hits then.
    /// A vowel-folding finder given non-ASCII text expects it already folded (non-ASCII keywords are matched as is).
    /// </summary>
    public bool Find(ReadOnlySpan<char> text, bool textIsAscii, HitBuffer hits, int maxHits)
    {
        hits.Clear();
        if (!(_buckets.IsEmpty && _short.IsEmpty) && text.Length >= 3 && !FindAscii(text, hits, maxHits)) return false;
        int ascii = hits.Count;
        if (!textIsAscii && _nonAsciiFirst is not null && !FindNonAscii(text, hits, maxHits)) return false;
        // Keywords are found at their filter 4-gram, not their start, so hits come slightly out of order; non-ASCII
        // hits come after all of them.
        hits.SortByPosition(nearlySorted: hits.Count == ascii);
        return true;
    }

    private bool FindNonAscii(ReadOnlySpan<char> text, HitBuffer hits, int maxHits)
    {
        for (int pos = 0; pos < text.Length; pos++)
        {
            int i = text[pos..].IndexOfAny(_nonAsciiFirst!);
            if (i < 0) break;
            pos += i;
            foreach (int id in _nonAsciiByFirst[text[pos]])
            {
                var k = Keywords[id];
                if (text[pos..].StartsWith(k.Text, k.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
                    && !(k.WordStart && pos > 0 && IsAsciiWord(text[pos - 1]))
                    && !Add(hits, pos, id, maxHits))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private bool FindAscii(ReadOnlySpan<char> text, HitBuffer hits, int maxHits)
    {
        int pos = 0;
        if (Avx2.IsSupported)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var m31 = Vector256.Create((ushort)31);
            unsafe
            {
                fixed (uint* filter = _filter)
                {
                    // Position 0 has no char before it: scalar. Then 16 positions per step, reading 20 chars.
                    if (!FindScalar(text, 0, Math.Min(1, text.Length), hits, maxHits)) return false;
                    for (pos = 1; pos + 19 <= text.Length; pos += 16)
                    {
                        var start = StartMask(Vector256.LoadUnsafe(ref src, (nuint)pos - 1));
                        var c0 = Vector256.LoadUnsafe(ref src, (nuint)pos) & m31;
                        var c1 = Vector256.LoadUnsafe(ref src, (nuint)pos + 1) & m31;
                        var c2 = Vector256.LoadUnsafe(ref src, (nuint)pos + 2) & m31;
                        var c3 = Vector256.LoadUnsafe(ref src, (nuint)pos + 3) & m31;
                        if (_foldVowels)
                        {
                            c0 = FoldVowels(c0);
                            c1 = FoldVowels(c1);
                            c2 = FoldVowels(c2);
                            c3 = FoldVowels(c3);
                        }
                        uint mask = Probe(filter, start, c0, c1, c2, c3, out var keysLo, out var keysHi);
                        if (!VerifyAll(text, pos, mask, keysLo, keysHi, hits, maxHits)) return false;
                    }
                }
            }
        }
        return FindScalar(text, pos, text.Length, hits, maxHits);
    }

    /// <summary>
    /// Scalar filter over positions [<paramref name="pos"/>, <paramref name="end"/>): the 4-gram codes roll along, one
    /// new code per position (the path of CPUs without AVX2, and of block tails).
    /// </summary>
    private bool FindScalar(ReadOnlySpan<char> text, int pos, int end, HitBuffer hits, int maxHits)
    {
        end = Math.Min(end, text.Length - 2);
        if (pos >= end) return true;
        var codes = _codes;
        int key = codes[text[pos] & 31] << 10 | codes[text[pos + 1] & 31] << 5 | codes[text[pos + 2] & 31];
        bool afterWord = pos > 0 && IsAsciiWord(text[pos - 1]);
        for (; pos < end; pos++)
        {
            // Past the end the fourth char reads as code 0: only 3-char keywords fit there, and they are filed under all codes.
            key = (key << 5 | (pos + 3 < text.Length ? codes[text[pos + 3] & 31] : 0)) & 0xFFFFF;
            int h = afterWord ? key : key | StartBit;
            afterWord = IsAsciiWord(text[pos]);
            int f = FilterIndex(h);
            if ((_filter[f >> 5] & 1u << (f & 31)) != 0 && !Verify(text, pos, h, hits, maxHits)) return false;
        }
        return true;
    }

    /// <summary>0xFFFF in lanes whose char is not an ASCII word char (so the next position is a word start).</summary>
    private static Vector256<ushort> StartMask(Vector256<ushort> prev)
    {
        var letter = Vector256.LessThanOrEqual((prev | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));
        var digit = Vector256.LessThanOrEqual(prev - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
        return ~(letter | digit | Vector256.Equals(prev, Vector256.Create((ushort)'_')));
    }

    /// <summary>Verifies the positions set in <paramref name="mask"/>, whose filter keys the probe computed.</summary>
    private bool VerifyAll(ReadOnlySpan<char> text, int pos, uint mask, Vector256<uint> keysLo, Vector256<uint> keysHi, HitBuffer hits, int maxHits)
    {
        while (mask != 0)
        {
            int lane = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            uint key = lane < 8 ? keysLo.GetElement(lane) : keysHi.GetElement(lane - 8);
            if (!Verify(text, pos + lane, (int)key, hits, maxHits)) return false;
        }
        return true;
    }

    /// <summary>Filter bits of the 16 positions whose 4-gram codes are <paramref name="c0"/>..<paramref name="c3"/>.</summary>
    private static unsafe uint Probe(uint* filter, Vector256<ushort> start, Vector256<ushort> c0, Vector256<ushort> c1, Vector256<ushort> c2, Vector256<ushort> c3,
        out Vector256<uint> keysLo, out Vector256<uint> keysHi)
    {
        // c0 fills bits 15..19 and the start mask's low bits (shifted) bit 20: both from one widened lane.
        var (lo0, hi0) = Vector256.Widen(c0 | (start & Vector256.Create((ushort)0x20)));
        var (lo, hi) = Vector256.Widen(Vector256.ShiftLeft(c1, 10) | Vector256.ShiftLeft(c2, 5) | c3);
        lo |= Vector256.ShiftLeft(lo0, 15);
        hi |= Vector256.ShiftLeft(hi0, 15);
        keysLo = lo;
        keysHi = hi;
        var golden = Vector256.Create(0x9E3779B1u);
        lo = Vector256.ShiftRightLogical(lo * golden, 32 - FilterBits);
        hi = Vector256.ShiftRightLogical(hi * golden, 32 - FilterBits);
        var wlo = Avx2.GatherVector256(filter, Vector256.ShiftRightLogical(lo, 5).AsInt32(), 4);
        var whi = Avx2.GatherVector256(filter, Vector256.ShiftRightLogical(hi, 5).AsInt32(), 4);
        var low5 = Vector256.Create(31u);
        var blo = Avx2.ShiftRightLogicalVariable(wlo, lo & low5) << 31;
        var bhi = Avx2.ShiftRightLogicalVariable(whi, hi & low5) << 31;
        return Vector256.ExtractMostSignificantBits(blo) | Vector256.ExtractMostSignificantBits(bhi) << 8;
    }

    /// <summary>
    /// <see cref="Find"/> for a plain finder and a vowel-folding one over the same ASCII text in one sweep: each
    /// block is loaded and folded once, its shifted views come from lane shuffles, and both filters are probed.
    /// Returns false when either finder hit its cap; the caller then runs them one by one.
    /// </summary>
    public static bool FindPair(KeywordFinder plain, KeywordFinder vowel, ReadOnlySpan<char> text, HitBuffer plainHits, HitBuffer vowelHits, int maxHits)
    {
        if (plain._foldVowels || !vowel._foldVowels) throw new ArgumentException("expects a plain and a vowel-folding finder");
        plainHits.Clear();
        vowelHits.Clear();
        int pos = 0;
        if (Avx2.IsSupported)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var m31 = Vector256.Create((ushort)31);
            unsafe
            {
                fixed (uint* pf = plain._filter, vf = vowel._filter)
                {
                    if (text.Length >= 32)
                    {
                        // Before the text: a space, so position 0 counts as a word start.
                        var previous = Vector256.Create((ushort)' ');
                        var raw = Vector256.LoadUnsafe(ref src, 0);
                        var x = raw & m31;
                        var fx = FoldVowels(x);
                        // 16 positions per step; the next block supplies the 3 chars that follow them.
                        for (; pos + 32 <= text.Length; pos += 16)
                        {
                            var nextRaw = Vector256.LoadUnsafe(ref src, (nuint)pos + 16);
                            var y = nextRaw & m31;
                            var fy = FoldVowels(y);
                            var start = StartMask(Avx2.AlignRight(raw, Avx2.Permute2x128(previous, raw, 0x21), 14));
                            var t = Avx2.Permute2x128(x, y, 0x21);
                            var ft = Avx2.Permute2x128(fx, fy, 0x21);
                            uint pm = Probe(pf, start, x, Avx2.AlignRight(t, x, 2), Avx2.AlignRight(t, x, 4), Avx2.AlignRight(t, x, 6), out var pLo, out var pHi);
                            uint vm = Probe(vf, start, fx, Avx2.AlignRight(ft, fx, 2), Avx2.AlignRight(ft, fx, 4), Avx2.AlignRight(ft, fx, 6), out var vLo, out var vHi);
                            if (!plain.VerifyAll(text, pos, pm, pLo, pHi, plainHits, maxHits) || !vowel.VerifyAll(text, pos, vm, vLo, vHi, vowelHits, maxHits)) return false;
                            previous = raw;
                            raw = nextRaw;
                            x = y;
                            fx = fy;
                        }
                    }
                }
            }
        }
        if (!plain.FindScalar(text, pos, text.Length, plainHits, maxHits) || !vowel.FindScalar(text, pos, text.Length, vowelHits, maxHits)) return false;
        plainHits.SortByPosition(nearlySorted: true);
        vowelHits.SortByPosition(nearlySorted: true);
        return true;
    }

    /// <summary>Codes 5, 9, 15, 21 (e, i, o, u in either case) become 1 (a).</summary>
    private static Vector256<ushort> FoldVowels(Vector256<ushort> c)
    {
        var vowel = Vector256.Equals(c, Vector256.Create((ushort)5)) | Vector256.Equals(c, Vector256.Create((ushort)9))
            | Vector256.Equals(c, Vector256.Create((ushort)15)) | Vector256.Equals(c, Vector256.Create((ushort)21));
        return Vector256.ConditionalSelect(vowel, Vector256.Create((ushort)1), c);
    }

    /// <summary>
    /// Checks the keywords filed under the 4-gram at <paramref name="at"/> (<paramref name="key"/>: its filter key,
    /// codes of 4 chars under the word-start bit); records the ones present.
    /// </summary>
    private bool Verify(ReadOnlySpan<char> text, int at, int key, HitBuffer hits, int maxHits)
    {
        int h3 = key >> 5 & 0x7FFF;
        if (!_short.IsEmpty)
        {
            foreach (int id in _short.Get(h3))
                if (Matches(text, at, id) && !Add(hits, at, id, maxHits)) return false;
        }
        if (at + 4 <= text.Length)
        {
            foreach (var (id, offset) in _buckets.Get(key & 0xFFFFF))
            {
                int start = at - offset;
                if (start >= 0 && Matches(text, start, id) && !Add(hits, start, id, maxHits)) return false;
            }
        }
        return true;
    }

    private static bool Add(HitBuffer hits, int position, int id, int maxHits)
    {
        if (hits.Count >= maxHits) return false;
        hits.Add(new KeywordHit(position, id));
        return true;
    }

    /// <summary>
    /// Whether ASCII keyword <paramref name="id"/> occurs at <paramref name="at"/>: chars compared in canonical form
    /// (ASCII case folding is what (?i) does on this text: ForMatching's NFKC already turned the Kelvin sign, the one
    /// non-ASCII character .NET's (?i) equates with an ASCII letter, into 'K').
    /// </summary>
    private bool Matches(ReadOnlySpan<char> text, int at, int id)
    {
        var k = Keywords[id];
        var canon = _canon[id];
        if (at + canon.Length > text.Length || (k.WordStart && at > 0 && IsAsciiWord(text[at - 1]))) return false;
        var table = k.CaseSensitive ? _canonExact : _canonIgnoreCase;
        var t = text.Slice(at, canon.Length);
        for (int j = 0; j < t.Length; j++)
        {
            char c = t[j];
            if (c >= 128 || table[c] != canon[j]) return false;
        }
        return true;
    }

    private static bool IsAsciiWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static char FoldVowel(char c) => c switch
    {
        'e' or 'i' or 'o' or 'u' => 'a',
        'E' or 'I' or 'O' or 'U' => 'A',
        _ => c,
    };
}

/// <summary>
/// A read-only map from a filter hash to its entries: open addressing over flat arrays, a few nanoseconds per lookup
/// where a <c>Dictionary</c> cost several times that on every filter positive.
/// </summary>
internal sealed class HashTable<T>
{
    private readonly int[] _keys;
    private readonly int[] _start;
    private readonly int[] _end;
    private readonly T[] _entries;
    private readonly int _shift;

    /// <param name="map">Non-negative keys and their entries.</param>
    public HashTable(Dictionary<int, List<T>> map)
    {
        int size = 16;
        while (size < map.Count * 4) size <<= 1;
        _shift = 32 - System.Numerics.BitOperations.Log2((uint)size);
        _keys = new int[size];
        Array.Fill(_keys, -1);
        _start = new int[size];
        _end = new int[size];
        var entries = new List<T>();
        foreach (var (key, list) in map)
        {
            int i = Slot(key);
            while (_keys[i] != -1) i = (i + 1) & (size - 1);
            _keys[i] = key;
            _start[i] = entries.Count;
            entries.AddRange(list);
            _end[i] = entries.Count;
        }
        _entries = [.. entries];
        IsEmpty = map.Count == 0;
    }

    public bool IsEmpty { get; }

    private int Slot(int key) => (int)((uint)key * 0x9E3779B1u >> _shift);

    /// <summary>The entries filed under <paramref name="key"/> (empty when none).</summary>
    public ReadOnlySpan<T> Get(int key)
    {
        int mask = _keys.Length - 1;
        for (int i = Slot(key); ; i = (i + 1) & mask)
        {
            int k = _keys[i];
            if (k == key) return _entries.AsSpan(_start[i], _end[i] - _start[i]);
            if (k == -1) return default;
        }
    }
}

/// <summary>A reusable, growable list of <see cref="KeywordHit"/>s (per-thread scratch, so clean scans allocate nothing).</summary>
internal sealed class HitBuffer
{
    private KeywordHit[] _items = new KeywordHit[64];

    public int Count { get; private set; }

    public ReadOnlySpan<KeywordHit> Items => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Add(KeywordHit hit)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = hit;
    }

    /// <summary>
    /// Orders by position. <paramref name="nearlySorted"/>: every hit is displaced by under a keyword length, where an
    /// insertion sort is linear; otherwise a general sort.
    /// </summary>
    public void SortByPosition(bool nearlySorted)
    {
        var a = _items.AsSpan(0, Count);
        if (!nearlySorted)
        {
            a.Sort(static (x, y) => x.Position != y.Position ? x.Position.CompareTo(y.Position) : x.Id.CompareTo(y.Id));
            return;
        }
        for (int i = 1; i < a.Length; i++)
        {
            var x = a[i];
            int j = i - 1;
            while (j >= 0 && (a[j].Position > x.Position || (a[j].Position == x.Position && a[j].Id > x.Id)))
            {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }
}
