using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pipelock.Scanners.Normalize;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// The 6-pass pipeline of Pipelock's <c>ScanResponse</c> for one pattern group (the core floor or the configured set).
/// Stops at the first pass that matches:
/// 1 primary on ForMatching(text); 2 word-boundary reconstruction (invisible → space); 3 leetspeak fold;
/// 4 optional-whitespace variants; 5 vowel fold of content and regex; 6 base64/hex payloads, depth 5.
/// Each pass runs only when it can matter: pass 2 on non-ASCII text, pass 3 when a leet digit touches a letter, pass 6
/// when an encoded run exists; inside a pass, regexes run only in windows around keyword hits (<see cref="PatternSet"/>).
/// ASCII text is scanned in place, folded views live in pooled buffers and keyword hits in per-thread scratch, so clean
/// text allocates nothing.
/// </summary>
internal sealed class InjectionEngine
{
    public const int MaxMatches = PatternSet.MaxMatches;

    /// <summary>Keyword hits kept per view; past this (a keyword flood) patterns fall back to whole-text runs.</summary>
    private const int MaxHits = 1 << 16;

    private static readonly SearchValues<char> LeetChars = SearchValues.Create("013457@$");

    [ThreadStatic]
    private static Scratch? t_scratch;

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
        var primary = list.Select(p => CompiledPattern.For(p.Name, p.Regex, IsBuiltIn(p))).ToList();
        var optSpace = list
            .Select(p => (p.Name, Source: RegexVariants.OptionalWhitespace(p.Regex), p.Regex, BuiltIn: IsBuiltIn(p)))
            .Where(x => x.Source != x.Regex)
            .Select(x => CompiledPattern.For(x.Name, x.Source, x.BuiltIn)).ToList();
        var vowel = list
            .Select(p => (p.Name, Source: RegexVariants.VowelFold(p.Regex), p.Regex, BuiltIn: IsBuiltIn(p)))
            .Where(x => x.Source != x.Regex)
            .Select(x => CompiledPattern.For(x.Name, x.Source, x.BuiltIn)).ToList();

        // Primary and optional-whitespace variants read the same views, so one finder serves both.
        var plain = new KeywordFinder(PatternSet.FinderKeywords(primary.Concat(optSpace)), foldVowels: false);
        _primary = new PatternSet(primary, plain);
        _optSpace = new PatternSet(optSpace, plain);
        _vowel = new PatternSet(vowel, new KeywordFinder(PatternSet.FinderKeywords(vowel), foldVowels: true));
    }

    public bool IsEmpty => _primary.IsEmpty;

    /// <summary>Scans <paramref name="source"/>[<paramref name="start"/>..+<paramref name="length"/>].</summary>
    public Detection? Detect(string source, int start, int length, ref int decodeBudget) =>
        Detect(source.AsSpan(start, length), length == source.Length ? source : null, ref decodeBudget);

    /// <summary>
    /// Scans <paramref name="span"/>; <paramref name="whole"/> is the same text as a string when the caller has one
    /// (saves a copy). Windowed callers pass spans of a pooled buffer: ASCII windows are then scanned without a copy.
    /// </summary>
    public Detection? Detect(ReadOnlySpan<char> span, string? whole, ref int decodeBudget)
    {
        if (_primary.IsEmpty) return null;
        var scratch = t_scratch ??= new Scratch();
        List<RawMatch>? matches = null;

        // ForMatching leaves printable ASCII untouched, so such text is matched where it lies.
        bool asciiText = TextNormalizer.IsAsciiText(span);
        string? original = null, mString = null;
        ReadOnlySpan<char> m;
        if (asciiText)
        {
            m = span;
            mString = whole;
        }
        else
        {
            original = whole ?? span.ToString();
            m = mString = TextNormalizer.ForMatching(original);
        }
        bool mAscii = asciiText || System.Text.Ascii.IsValid(m);

        // Pass 1: primary. Its keyword hits also serve pass 4, whose variants differ only in \s+ → \s*. On ASCII
        // text the vowel-fold keywords of pass 5 are found in the same sweep.
        bool vowelReady = mAscii && !_vowel.IsEmpty && KeywordFinder.FindPair(_primary.Finder, _vowel.Finder, m, scratch.View, scratch.Vowel, MaxHits);
        bool indexed = vowelReady || _primary.Finder.Find(m, mAscii, scratch.View, MaxHits);
        if (_primary.Run(m, mAscii, scratch.View.Items, indexed, null, ref matches, decoded: false))
            return new(matches!, mString ?? m.ToString(), 1);

        // Pass 2: invisible characters become spaces, so "ignore\u200Ball" keeps its word break.
        if (!asciiText)
        {
            string spaced = TextNormalizer.ForMatching(TextNormalizer.ReplaceInvisibleWithSpace(original!));
            if (!ReferenceEquals(spaced, mString) && spaced != mString && RunOn(_primary, spaced, "word_boundary", ref matches, scratch.Other))
                return new(matches!, spaced, 2);
        }

        // Pass 3: leetspeak ("1gn0r3 4ll").
        if (HasLeetInWord(m) && Folded(m, mAscii, leet: true, _primary, "leetspeak", ref matches, scratch, decoded: false, hitsReady: false))
            return new(matches!, mString ?? m.ToString(), 3);

        // Pass 4: optional whitespace ("ignoreallpreviousinstructions").
        if (_optSpace.Run(m, mAscii, scratch.View.Items, indexed, "optional_whitespace", ref matches, decoded: false))
            return new(matches!, mString ?? m.ToString(), 4);

        // Pass 5: vowel fold of content and regex ("instroctions").
        if (Folded(m, mAscii, leet: false, _vowel, "vowel_fold", ref matches, scratch, decoded: false, hitsReady: vowelReady))
            return new(matches!, mString ?? m.ToString(), 5);

        // Pass 6: encoded payloads.
        if (EncodedPayloads.HasEncodedRun(m) && Decoded(m, mString, 0, ref matches, ref decodeBudget, scratch))
            return new(matches!, mString ?? m.ToString(), 6);
        return null;
    }

    /// <summary>
    /// Collects the matches of every variant on <paramref name="content"/> into <paramref name="spans"/>
    /// (start, length, name), so redaction can replace them in one go: replacing set by set would let a later set
    /// match inside an earlier "[REDACTED: New Instructions]" placeholder. Patterns whose keywords are absent cannot
    /// match and are not compiled for this.
    /// </summary>
    public void CollectSpans(string content, List<(int Start, int Length, string Name)> spans)
    {
        bool ascii = System.Text.Ascii.IsValid(content);
        foreach (var set in new[] { _primary, _optSpace, _vowel })
            foreach (var p in set.Patterns)
            {
                if (!p.MayMatch(content, ascii)) continue;
                foreach (var m in p.Regex.EnumerateMatches(content))
                    if (m.Length > 0) spans.Add((m.Index, m.Length, p.Name));
            }
    }

    /// <summary>
    /// Pass 3 gate: a leet character touching an ASCII letter ("1gn0r3", "4ll"). Numbers on their own ("2024",
    /// "| 3 |") cannot spell a keyword, so they do not pay for a folded copy and another keyword search.
    /// </summary>
    private static bool HasLeetInWord(ReadOnlySpan<char> s)
    {
        int i = s.IndexOfAny(LeetChars);
        if (i < 0) return false;
        if (i == 0)
        {
            if (s.Length > 1 && char.IsAsciiLetter(s[1])) return true;
            i = 1;
        }
        // Digit-heavy text (tables, ids, prices) would cost one search per digit: test 16 positions at a time.
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
            for (; i + 17 <= s.Length; i += 16)
            {
                var c = Vector256.LoadUnsafe(ref src, (nuint)i);
                var leet = Vector256.LessThanOrEqual(c - Vector256.Create((ushort)'0'), Vector256.Create((ushort)1))
                    | Vector256.LessThanOrEqual(c - Vector256.Create((ushort)'3'), Vector256.Create((ushort)2))
                    | Vector256.Equals(c, Vector256.Create((ushort)'7')) | Vector256.Equals(c, Vector256.Create((ushort)'@'))
                    | Vector256.Equals(c, Vector256.Create((ushort)'$'));
                var letters = IsAsciiLetter(Vector256.LoadUnsafe(ref src, (nuint)i - 1)) | IsAsciiLetter(Vector256.LoadUnsafe(ref src, (nuint)i + 1));
                if ((leet & letters) != Vector256<ushort>.Zero) return true;
            }
        }
        for (; i < s.Length; i++)
        {
            if (!LeetChars.Contains(s[i])) continue;
            if ((i > 0 && char.IsAsciiLetter(s[i - 1])) || (i + 1 < s.Length && char.IsAsciiLetter(s[i + 1]))) return true;
        }
        return false;
    }

    /// <summary>e, i, o, u → a and E, I, O, U → A in one vectorised pass (eight single-char replaces cost eight passes).</summary>
    private static void FoldVowels(ReadOnlySpan<char> src, Span<char> dst)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort s = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(src));
            ref ushort d = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(dst));
            for (; i + 16 <= src.Length; i += 16)
            {
                var c = Vector256.LoadUnsafe(ref s, (nuint)i);
                var lower = c | Vector256.Create((ushort)0x20);
                var vowel = Vector256.Equals(lower, Vector256.Create((ushort)'e')) | Vector256.Equals(lower, Vector256.Create((ushort)'i'))
                    | Vector256.Equals(lower, Vector256.Create((ushort)'o')) | Vector256.Equals(lower, Vector256.Create((ushort)'u'));
                var folded = (c & Vector256.Create((ushort)0x20)) | Vector256.Create((ushort)'A');
                Vector256.ConditionalSelect(vowel, folded, c).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++)
            dst[i] = src[i] switch { 'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', var c => c };
    }

    private static Vector256<ushort> IsAsciiLetter(Vector256<ushort> c) =>
        Vector256.LessThanOrEqual((c | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));

    private static bool RunOn(PatternSet set, string text, string? label, ref List<RawMatch>? matches, HitBuffer hits, bool decoded = false)
    {
        if (set.IsEmpty) return false;
        bool ascii = System.Text.Ascii.IsValid(text);
        bool indexed = set.Finder.Find(text, ascii, hits, MaxHits);
        return set.Run(text, ascii, hits.Items, indexed, label, ref matches, decoded);
    }

    /// <param name="hitsReady">The vowel finder's hits on <paramref name="m"/> are already in the scratch (see <see cref="KeywordFinder.FindPair"/>).</param>
    private static bool Folded(ReadOnlySpan<char> m, bool ascii, bool leet, PatternSet set, string label, ref List<RawMatch>? matches,
        Scratch scratch, bool decoded, bool hitsReady)
    {
        if (set.IsEmpty) return false;
        if (leet ? m.IndexOfAny("013457@$") < 0 : m.IndexOfAny("eiouEIOU") < 0) return false;
        var hits = leet ? scratch.Other : scratch.Vowel;
        bool indexed = true, found = hitsReady;
        if (!leet && ascii && !hitsReady)
        {
            // The vowel finder folds as it reads, so the folded copy is made only when some pattern has a window.
            indexed = set.Finder.Find(m, true, hits, MaxHits);
            found = true;
        }
        if (found && indexed && hits.Count == 0 && !set.RunsWithoutHits) return false;
        char[] buf = ArrayPool<char>.Shared.Rent(m.Length);
        try
        {
            var dst = buf.AsSpan(0, m.Length);
            // Vectorised replacements; a per-character switch costs more on long prose.
            if (leet)
            {
                m.Replace(dst, '0', 'o');
                dst.Replace('1', 'i'); dst.Replace('3', 'e'); dst.Replace('4', 'a'); dst.Replace('5', 's');
                dst.Replace('7', 't'); dst.Replace('@', 'a'); dst.Replace('$', 's');
            }
            else
            {
                FoldVowels(m, dst);
            }
            if (!found)
            {
                indexed = set.Finder.Find(dst, ascii, hits, MaxHits);
                if (indexed && hits.Count == 0 && !set.RunsWithoutHits) return false;
            }
            return set.Run(dst, ascii, hits.Items, indexed, label, ref matches, decoded);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buf);
        }
    }

    /// <summary>Pass 6, recursive: whole content, then each segment; every readable decoding is matched, then decoded again.</summary>
    private bool Decoded(ReadOnlySpan<char> content, string? owner, int depth, ref List<RawMatch>? matches, ref int budget, Scratch scratch)
    {
        if (depth >= EncodedPayloads.MaxDepth || budget <= 0) return false;
        string? first = EncodedPayloads.WholeCandidate(content, 8, owner);
        if (first is not null && Candidate(first, depth, ref matches, ref budget, scratch) is { } wholeResult) return wholeResult;
        if (!EncodedPayloads.HasSegment(content)) return false;
        foreach (var seg in EncodedPayloads.Segments(content))
        {
            // A segment equal to the first candidate was already tried.
            if (first is null) first = seg;
            else if (seg == first) continue;
            if (Candidate(seg, depth, ref matches, ref budget, scratch) is { } result) return result;
        }
        return false;
    }

    /// <summary>Decodes one candidate and matches every readable layer; null: nothing found, go on with the next candidate.</summary>
    private bool? Candidate(string candidate, int depth, ref List<RawMatch>? matches, ref int budget, Scratch scratch)
    {
        budget -= candidate.Length;
        if (budget < 0) return false;
        foreach (var (label, text) in EncodedPayloads.Decodings(candidate))
        {
            string n = TextNormalizer.ForMatching(text);
            bool ascii = System.Text.Ascii.IsValid(n);
            bool indexed = _primary.Finder.Find(n, ascii, scratch.Other, MaxHits);
            if (_primary.Run(n, ascii, scratch.Other.Items, indexed, label, ref matches, decoded: true) ||
                _optSpace.Run(n, ascii, scratch.Other.Items, indexed, label, ref matches, decoded: true) ||
                Folded(n, ascii, leet: false, _vowel, label, ref matches, scratch, decoded: true, hitsReady: false) ||
                Decoded(text, text, depth + 1, ref matches, ref budget, scratch))
            {
                return true;
            }
        }
        return null;
    }

    /// <summary>Per-thread hit buffers: one for the ForMatching view (passes 1 and 4), one for other views, one for the vowel fold.</summary>
    private sealed class Scratch
    {
        public readonly HitBuffer View = new();
        public readonly HitBuffer Other = new();
        public readonly HitBuffer Vowel = new();
    }
}
