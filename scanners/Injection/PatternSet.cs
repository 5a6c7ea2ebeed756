using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Patterns of one pass variant (primary, optional-whitespace or vowel-folded). A <see cref="KeywordFinder"/> holding
/// the keywords of every pattern's selective keyword sets (<see cref="CompiledPattern.RequiredSets"/> without very
/// common words such as "you" or "the", which are only tested for presence) finds them all in one pass; a pattern
/// whose sets do not all occur is skipped, and otherwise its regex runs only in windows around the hits of its rarest
/// set in this text, as wide as its <see cref="MatchBound"/>, and only where its other sets occur too.
/// Windows start with the text before them still visible to the regex (startat) and end where a word boundary is
/// real, so a regex finds in its windows exactly the matches it finds in the whole text. Patterns without keywords,
/// or without a bound, run on the whole text (when their keywords occur).
/// </summary>
internal sealed class PatternSet
{
    public const int MaxMatches = 32;

    /// <summary>Hits closer than this on average: the windows would cover the text anyway, so scan it whole.</summary>
    private const int DenseHitSpacing = 128;

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly KeywordFinder _finder;

    /// <summary>
    /// Finder keyword id → the sets (indexes into the flattened set list) it belongs to, and whether that set only
    /// takes it at a word start (the finder holds each keyword text once, so it cannot enforce that per set).
    /// </summary>
    private readonly (int Set, bool WordStart)[][] _setsOfKeyword;

    /// <summary>Pattern p's indexed sets are [_firstSet[p], _firstSet[p + 1]) in the flattened set list.</summary>
    private readonly int[] _firstSet;

    /// <summary>The distinct common (not indexed) keyword sets, tested for presence only.</summary>
    private readonly KeywordGate[] _commonGates;

    /// <summary>Per pattern, its common sets as indexes into <see cref="_commonGates"/>.</summary>
    private readonly int[][] _gates;

    /// <param name="patterns">The patterns.</param>
    /// <param name="finder">A finder holding every keyword of every pattern's <see cref="CompiledPattern.RequiredSets"/>.</param>
    public PatternSet(IEnumerable<CompiledPattern> patterns, KeywordFinder finder)
    {
        Patterns = [.. patterns];
        _finder = finder;
        var ids = new Dictionary<(string, bool), int>();
        for (int i = 0; i < finder.Keywords.Length; i++) ids[(finder.Keywords[i].Text, finder.Keywords[i].CaseSensitive)] = i;
        var setsOf = new List<(int, bool)>[finder.Keywords.Length];
        _firstSet = new int[Patterns.Length + 1];
        _gates = new int[Patterns.Length][];
        var commonIds = new Dictionary<string, int>();
        var commonGates = new List<KeywordGate>();
        int set = 0;
        for (int p = 0; p < Patterns.Length; p++)
        {
            _firstSet[p] = set;
            var sets = Patterns[p].RequiredSets;
            // Patterns share common sets ("you" in six of them): each is tested once per text.
            _gates[p] = [.. Enumerable.Range(0, sets.Count).Where(j => RequiredKeywords.IsCommon(sets[j])).Select(j =>
            {
                var key = string.Join("\n", sets[j].Select(k => $"{k.Text}\t{k.CaseSensitive}").Order(StringComparer.Ordinal));
                if (!commonIds.TryGetValue(key, out int id))
                {
                    commonIds[key] = id = commonGates.Count;
                    commonGates.Add(Patterns[p].Required[j]);
                }
                return id;
            })];
            foreach (var s in sets.Where(s => !RequiredKeywords.IsCommon(s)))
            {
                foreach (var k in s)
                {
                    int id = ids.TryGetValue((k.Text, k.CaseSensitive), out int found) ? found : throw new ArgumentException($"finder lacks keyword '{k.Text}'", nameof(finder));
                    (setsOf[id] ??= []).Add((set, k.WordStart && !finder.Keywords[id].WordStart));
                }
                set++;
            }
        }
        _firstSet[Patterns.Length] = set;
        _commonGates = [.. commonGates];
        SetCount = set;
        _setsOfKeyword = [.. setsOf.Select(l => l is null ? [] : l.Distinct().ToArray())];
        RunsWithoutHits = Enumerable.Range(0, Patterns.Length).Any(p => _firstSet[p] == _firstSet[p + 1]);
    }

    /// <summary>
    /// The keywords of every pattern's selective keyword sets, what a finder for them must hold: each text once (so a
    /// keyword flood is not counted twice), as a word-start keyword only when every set wants it so.
    /// </summary>
    public static List<Keyword> FinderKeywords(IEnumerable<CompiledPattern> patterns) =>
    [
        .. patterns.SelectMany(p => p.RequiredSets).Where(s => !RequiredKeywords.IsCommon(s)).SelectMany(s => s)
            .GroupBy(k => (k.Text, k.CaseSensitive))
            .Select(g => new Keyword(g.Key.Text, g.Key.CaseSensitive, WordStart: g.All(k => k.WordStart))),
    ];

    public CompiledPattern[] Patterns { get; }

    public bool IsEmpty => Patterns.Length == 0;

    /// <summary>
    /// True when some pattern can run without any finder hit: it has no keyword requirement, or only sets of common
    /// words, which are tested for presence, not indexed. Otherwise a text without hits cannot match.
    /// </summary>
    public bool RunsWithoutHits { get; }

    /// <summary>The finder whose hits <see cref="Run"/> expects.</summary>
    public KeywordFinder Finder => _finder;

    private int SetCount { get; }

    /// <summary>
    /// Runs every pattern that can match <paramref name="text"/> and records its matches (at most <see cref="MaxMatches"/>
    /// in all). <paramref name="hits"/> are the finder's hits on this text; <paramref name="indexed"/> false (a keyword
    /// flood) falls back to whole-text runs gated by keyword presence.
    /// </summary>
    public bool Run(ReadOnlySpan<char> text, bool textIsAscii, ReadOnlySpan<KeywordHit> hits, bool indexed, string? label,
        ref List<RawMatch>? matches, bool decoded)
    {
        if (Patterns.Length == 0 || text.IsEmpty) return false;
        bool found = false;
        if (!indexed)
        {
            foreach (var p in Patterns)
                if (p.MayMatch(text, textIsAscii) && Match(p, text, 0, text.Length, label, ref matches, decoded, ref found)) return true;
            return found;
        }

        if (hits.IsEmpty && !RunsWithoutHits) return false;
        var scratch = t_scratch ??= new Scratch();
        var bySet = scratch.Count(text, hits, _setsOfKeyword, SetCount);
        bool filled = false;
        Span<sbyte> present = _commonGates.Length <= 256 ? stackalloc sbyte[_commonGates.Length] : new sbyte[_commonGates.Length];
        present.Clear(); // 0 not tested yet, 1 present, -1 absent
        for (int i = 0; i < Patterns.Length; i++)
        {
            var p = Patterns[i];
            int first = _firstSet[i], end = _firstSet[i + 1];
            var gates = _gates[i];

            // Every set must occur; the rarest indexed one anchors the windows.
            int anchor = first;
            for (int s = first; s < end && bySet.Count(anchor) > 0; s++)
                if (bySet.Count(s) < bySet.Count(anchor)) anchor = s;
            if (first < end && bySet.Count(anchor) == 0) continue;
            bool all = true;
            foreach (int g in gates)
            {
                if (present[g] == 0) present[g] = _commonGates[g].Matches(text, textIsAscii) ? (sbyte)1 : (sbyte)-1;
                if (present[g] < 0) { all = false; break; }
            }
            if (!all) continue;
            if (first == end || p.Bound is not { } bound || (long)bySet.Count(anchor) * DenseHitSpacing > text.Length)
            {
                if (Match(p, text, 0, text.Length, label, ref matches, decoded, ref found)) return true;
                continue;
            }

            // Window starts and ends only grow with the hit position, so overlapping windows merge in one sweep.
            if (!filled)
            {
                bySet = scratch.Fill(text, hits, _setsOfKeyword, _finder.Keywords, SetCount);
                filled = true;
            }
            var positions = bySet.Hits(anchor);
            int ws = -1, we = -1;
            foreach (var (pos, _) in positions)
            {
                int stop = TextRuns.SafeEnd(text, TextRuns.ReachRight(text, pos, bound));
                if (ws >= 0 && pos < we) { we = Math.Max(we, stop); continue; }
                int start = TextRuns.ReachLeft(text, pos, bound);
                if (ws >= 0 && start < we) { we = Math.Max(we, stop); continue; }
                if (ws >= 0 && Window(p, bySet, first, end, anchor, gates, text, textIsAscii, ws, we, label, ref matches, decoded, ref found)) return true;
                ws = start;
                we = stop;
            }
            if (ws >= 0 && Window(p, bySet, first, end, anchor, gates, text, textIsAscii, ws, we, label, ref matches, decoded, ref found)) return true;
        }
        return found;
    }

    private bool Window(CompiledPattern p, in HitsBySet bySet, int first, int end, int anchor, int[] gates,
        ReadOnlySpan<char> text, bool textIsAscii, int ws, int we, string? label, ref List<RawMatch>? matches, bool decoded, ref bool found)
    {
        // A match lies inside the window, so it holds a keyword of every set there.
        for (int s = first; s < end; s++)
            if (s != anchor && !bySet.AnyWithin(s, ws, we)) return false;
        var window = text[ws..we];
        foreach (int g in gates)
            if (!_commonGates[g].Matches(window, textIsAscii)) return false;
        return Match(p, text, ws, we, label, ref matches, decoded, ref found);
    }

    /// <summary>Records the regex's matches starting in [ws, we); returns true once <see cref="MaxMatches"/> is reached.</summary>
    private static bool Match(CompiledPattern p, ReadOnlySpan<char> text, int ws, int we, string? label,
        ref List<RawMatch>? matches, bool decoded, ref bool found)
    {
        // The input ends at the window end but starts at the text start: startat keeps \b and ^ exact at ws.
        foreach (var vm in p.For(we - ws).EnumerateMatches(text[..we], ws))
        {
            if (vm.Length == 0) continue;
            if (p.Name == DefensiveContext.PatternName && DefensiveContext.IsDefensive(text, vm.Index, vm.Length)) continue;
            found = true;
            matches ??= [];
            if (matches.Count >= MaxMatches) return true;
            matches.Add(new RawMatch(p.Name, Redaction.Excerpt(text.Slice(vm.Index, vm.Length), 100), decoded ? -1 : vm.Index, label));
        }
        return false;
    }

    /// <summary>
    /// Keyword hits grouped by set, each group ordered by position (a counting sort into one flat array); before
    /// <see cref="Scratch.Fill"/> only the counts are there.
    /// </summary>
    private readonly ref struct HitsBySet(ReadOnlySpan<int> start, ReadOnlySpan<(int Position, int Length)> flat)
    {
        private readonly ReadOnlySpan<int> _start = start;
        private readonly ReadOnlySpan<(int Position, int Length)> _flat = flat;

        public int Count(int set) => _start[set + 1] - _start[set];

        public ReadOnlySpan<(int Position, int Length)> Hits(int set) => _flat[_start[set].._start[set + 1]];

        /// <summary>Whether some hit of <paramref name="set"/> lies entirely inside [ws, we).</summary>
        public bool AnyWithin(int set, int ws, int we)
        {
            var h = Hits(set);
            int lo = 0, hi = h.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (h[mid].Position < ws) lo = mid + 1; else hi = mid;
            }
            for (int i = lo; i < h.Length && h[i].Position < we; i++)
                if (h[i].Position + h[i].Length <= we) return true;
            return false;
        }
    }

    private static bool IsAsciiWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Per-thread buffers for <see cref="HitsBySet"/>, so clean scans allocate nothing.</summary>
    private sealed class Scratch
    {
        private int[] _start = new int[256];
        private int[] _cursor = new int[256];
        private (int, int)[] _flat = new (int, int)[256];

        /// <summary>
        /// Counts the hits of each set into <see cref="HitsBySet"/>'s offsets; the positions themselves are filled only
        /// when some pattern gets as far as windows (<see cref="Fill"/>), which on clean text is rare.
        /// </summary>
        public HitsBySet Count(ReadOnlySpan<char> text, ReadOnlySpan<KeywordHit> hits, (int Set, bool WordStart)[][] setsOfKeyword, int setCount)
        {
            if (_start.Length < setCount + 1)
            {
                _start = new int[setCount + 1];
                _cursor = new int[setCount + 1];
            }
            var start = _start.AsSpan(0, setCount + 1);
            start.Clear();
            int total = 0;
            foreach (var h in hits)
            {
                bool atWordStart = h.Position == 0 || !IsAsciiWord(text[h.Position - 1]);
                foreach (var (s, wordStart) in setsOfKeyword[h.Id])
                {
                    if (wordStart && !atWordStart) continue;
                    start[s + 1]++;
                    total++;
                }
            }
            for (int s = 0; s < setCount; s++) start[s + 1] += start[s];
            return new HitsBySet(start, default);
        }

        /// <summary>Fills the positions of the sets counted by <see cref="Count"/> (same arguments).</summary>
        public HitsBySet Fill(ReadOnlySpan<char> text, ReadOnlySpan<KeywordHit> hits, (int Set, bool WordStart)[][] setsOfKeyword,
            Keyword[] keywords, int setCount)
        {
            var start = _start.AsSpan(0, setCount + 1);
            int total = start[setCount];
            if (_flat.Length < total) _flat = new (int, int)[Math.Max(total, _flat.Length * 2)];
            var cursor = _cursor.AsSpan(0, setCount);
            start[..setCount].CopyTo(cursor);
            foreach (var h in hits)
            {
                int len = keywords[h.Id].Text.Length;
                bool atWordStart = h.Position == 0 || !IsAsciiWord(text[h.Position - 1]);
                foreach (var (s, wordStart) in setsOfKeyword[h.Id])
                    if (!wordStart || atWordStart) _flat[cursor[s]++] = (h.Position, len);
            }
            return new HitsBySet(start, _flat.AsSpan(0, total));
        }
    }
}
