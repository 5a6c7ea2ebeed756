using System.Buffers;
using Pipelock.Scanners.Normalize;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// The 6-pass pipeline of Pipelock's <c>ScanResponse</c> for one pattern group (the core floor or the configured set).
/// Stops at the first pass that matches:
/// 1 primary on ForMatching(text); 2 word-boundary reconstruction (invisible → space); 3 leetspeak fold;
/// 4 optional-whitespace variants; 5 vowel fold of content and regex; 6 base64/hex payloads, depth 5.
/// Folded views live in pooled buffers and regexes run on spans, so clean text allocates nothing.
/// </summary>
internal sealed class InjectionEngine
{
    public const int MaxMatches = 32;

    private readonly PatternSet _primary;
    private readonly PatternSet _optSpace;
    private readonly PatternSet _vowel;

    public InjectionEngine(IEnumerable<InjectionPattern> patterns)
    {
        // Built-in status is decided on the shipped regex, before literal normalisation rewrites CJK patterns.
        var builtIn = new HashSet<string>();
        var list = new List<InjectionPattern>();
        foreach (var p in patterns)
        {
            var normalised = p with { Regex = RegexVariants.NormaliseLiterals(p.Regex) };
            if (InjectionPatterns.IsBuiltIn(p)) builtIn.Add(normalised.Regex);
            list.Add(normalised);
        }
        bool IsBuiltIn(InjectionPattern p) => builtIn.Contains(p.Regex);
        _primary = new PatternSet(list.Select(p => new CompiledPattern(p.Name, p.Regex, IsBuiltIn(p))));
        _optSpace = new PatternSet(list
            .Select(p => (p.Name, Source: RegexVariants.OptionalWhitespace(p.Regex), p.Regex, BuiltIn: IsBuiltIn(p)))
            .Where(x => x.Source != x.Regex)
            .Select(x => new CompiledPattern(x.Name, x.Source, x.BuiltIn)));
        _vowel = new PatternSet(list
            .Select(p => (p.Name, Source: RegexVariants.VowelFold(p.Regex), p.Regex, BuiltIn: IsBuiltIn(p)))
            .Where(x => x.Source != x.Regex)
            .Select(x => new CompiledPattern(x.Name, x.Source, x.BuiltIn)));
    }

    public bool IsEmpty => _primary.IsEmpty;

    public Detection? Detect(string original, ref int decodeBudget)
    {
        if (_primary.IsEmpty) return null;
        List<RawMatch>? matches = null;
        string m = TextNormalizer.ForMatching(original);

        // Pass 1: primary. Pass 4 uses the same keywords (only \s+ changes), so no keyword here means no pass 4 either.
        if (Run(_primary, m, null, ref matches, out bool primaryHadCandidates)) return new(matches!, m);

        // Pass 2: invisible characters become spaces, so "ignore\u200Ball" keeps its word break.
        if (!TextNormalizer.IsAsciiText(original))
        {
            string spaced = TextNormalizer.ForMatching(TextNormalizer.ReplaceInvisibleWithSpace(original));
            if (!ReferenceEquals(spaced, m) && spaced != m && Run(_primary, spaced, "word_boundary", ref matches))
                return new(matches!, spaced);
        }

        // Pass 3: leetspeak ("1gn0r3 4ll").
        if (HasLeetInWord(m) && Folded(m, leet: true, _primary, "leetspeak", ref matches)) return new(matches!, m);

        // Pass 4: optional whitespace ("ignoreallpreviousinstructions").
        if ((primaryHadCandidates || _optSpace.HasAlwaysRun) && Run(_optSpace, m, "optional_whitespace", ref matches))
            return new(matches!, m);

        // Pass 5: vowel fold of content and regex ("instroctions").
        if (Folded(m, leet: false, _vowel, "vowel_fold", ref matches)) return new(matches!, m);

        // Pass 6: encoded payloads.
        if (EncodedPayloads.HasEncodedRun(m) && Decoded(m, 0, ref matches, ref decodeBudget)) return new(matches!, m);
        return null;
    }

    /// <summary>
    /// Collects the matches of every variant on <paramref name="content"/> into <paramref name="spans"/>
    /// (start, length, name), so redaction can replace them in one go: replacing set by set would let a later set
    /// match inside an earlier "[REDACTED: New Instructions]" placeholder.
    /// </summary>
    public void CollectSpans(string content, List<(int Start, int Length, string Name)> spans)
    {
        foreach (var set in new[] { _primary, _optSpace, _vowel })
            foreach (var p in set.Patterns)
                foreach (var m in p.Regex.EnumerateMatches(content))
                    if (m.Length > 0) spans.Add((m.Index, m.Length, p.Name));
    }

    /// <summary>
    /// Pass 3 gate: a leet character touching an ASCII letter ("1gn0r3", "4ll"). Numbers on their own ("2024",
    /// "| 3 |") cannot spell a keyword, so they do not pay for a folded copy and another keyword search.
    /// </summary>
    private static bool HasLeetInWord(ReadOnlySpan<char> s)
    {
        for (int off = 0; ;)
        {
            int i = s[off..].IndexOfAny("013457@$");
            if (i < 0) return false;
            i += off;
            if ((i > 0 && char.IsAsciiLetter(s[i - 1])) || (i + 1 < s.Length && char.IsAsciiLetter(s[i + 1]))) return true;
            off = i + 1;
        }
    }

    private static bool Folded(string m, bool leet, PatternSet set, string label, ref List<RawMatch>? matches, bool decoded = false)
    {
        if (set.IsEmpty) return false;
        var src = m.AsSpan();
        if (leet ? src.IndexOfAny("013457@$") < 0 : src.IndexOfAny("eiouEIOU") < 0) return false;
        char[] buf = ArrayPool<char>.Shared.Rent(m.Length);
        try
        {
            var dst = buf.AsSpan(0, m.Length);
            // Vectorised single-character replacements; a per-character switch costs more on long prose.
            if (leet)
            {
                src.Replace(dst, '0', 'o');
                dst.Replace('1', 'i'); dst.Replace('3', 'e'); dst.Replace('4', 'a'); dst.Replace('5', 's');
                dst.Replace('7', 't'); dst.Replace('@', 'a'); dst.Replace('$', 's');
            }
            else
            {
                src.Replace(dst, 'e', 'a');
                dst.Replace('i', 'a'); dst.Replace('o', 'a'); dst.Replace('u', 'a');
                dst.Replace('E', 'A'); dst.Replace('I', 'A'); dst.Replace('O', 'A'); dst.Replace('U', 'A');
            }
            return Run(set, dst, label, ref matches, decoded);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buf);
        }
    }

    private static bool Run(PatternSet set, ReadOnlySpan<char> text, string? label, ref List<RawMatch>? matches, bool decoded = false) =>
        Run(set, text, label, ref matches, out _, decoded);

    private static bool Run(PatternSet set, ReadOnlySpan<char> text, string? label, ref List<RawMatch>? matches, out bool hadCandidates, bool decoded = false)
    {
        hadCandidates = false;
        if (set.IsEmpty || text.IsEmpty) return false;
        Span<bool> candidates = set.Patterns.Length <= 256 ? stackalloc bool[set.Patterns.Length] : new bool[set.Patterns.Length];
        if (set.Candidates(text, candidates) == 0) return false;
        hadCandidates = true;
        bool found = false;
        for (int i = 0; i < set.Patterns.Length; i++)
        {
            if (!candidates[i]) continue;
            var p = set.Patterns[i];
            foreach (var vm in p.Regex.EnumerateMatches(text))
            {
                if (vm.Length == 0) continue;
                if (p.Name == DefensiveContext.PatternName && DefensiveContext.IsDefensive(text, vm.Index, vm.Length)) continue;
                found = true;
                matches ??= [];
                if (matches.Count >= MaxMatches) return true;
                matches.Add(new RawMatch(p.Name, Redaction.Excerpt(text.Slice(vm.Index, vm.Length), 100), decoded ? -1 : vm.Index, label));
            }
        }
        return found;
    }

    /// <summary>Pass 6, recursive: whole content, then each segment; every readable decoding is matched, then decoded again.</summary>
    private bool Decoded(string content, int depth, ref List<RawMatch>? matches, ref int budget)
    {
        if (depth >= EncodedPayloads.MaxDepth || budget <= 0) return false;
        var candidates = new List<string>();
        if (EncodedPayloads.WholeCandidate(content) is { Length: >= 8 } whole) candidates.Add(whole);
        if (EncodedPayloads.HasSegment(content))
        {
            foreach (var seg in EncodedPayloads.Segments(content))
                if (candidates.Count == 0 || seg != candidates[0]) candidates.Add(seg);
        }

        foreach (var candidate in candidates)
        {
            budget -= candidate.Length;
            if (budget < 0) return false;
            foreach (var (label, text) in EncodedPayloads.Decodings(candidate))
            {
                string n = TextNormalizer.ForMatching(text);
                if (Run(_primary, n, label, ref matches, decoded: true) || Run(_optSpace, n, label, ref matches, decoded: true) ||
                    Folded(n, leet: false, _vowel, label, ref matches, decoded: true) || Decoded(text, depth + 1, ref matches, ref budget))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
