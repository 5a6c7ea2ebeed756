using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// A few vectorised passes that prove an ASCII text cannot produce a DLP finding, so the full scan (normalised views, decoded
/// layers, ~280 rules, assignments, seed phrases, known secrets) is skipped for the common case of ordinary prose.
/// It reports a candidate, and the caller runs the full scan, as soon as any precondition of any detector holds:
/// <list type="bullet">
/// <item>a keyword of a rule that can match without a long token run, of the assignment detector, or the start of a
/// known secret / canary (case-insensitive, on the joined view the scanners see: TAB/CR/LF removed);</item>
/// <item>a token run of at least <see cref="RunThreshold"/> chars (every other rule, PEM bodies, base64/base32 runs,
/// proven by <see cref="TokenRunBound"/>); a run that is long only in the joined view, because a line break glued two
/// words, counts only if a rule that could read it might fire;</item>
/// <item>a digit cluster of <see cref="TextFeatures.ClusterDigits"/> digits (cards, SSNs, IBANs);</item>
/// <item>a dotted token the dot-collapse layer would rewrite, a "%XX" escape, a hex-ish run of 16 hex digits;</item>
/// <item>a run of list words as long as the shortest BIP-39 phrase.</item>
/// </list>
/// Every condition mirrors the corresponding detector's own gate on the same view (or a superset of it), so the
/// gate only ever says "candidate" too often, never too rarely; CleanTextGateTests pin that on the corpora.
/// Non-ASCII text always takes the full scan (normalisation can create matches).
/// </summary>
internal sealed class CleanTextGate
{
    private const int HexRunDigits = LayerDecoder.MinRun;
    private const int DotTokenMin = 10;

    private readonly TrigramKeywords _keywords;
    private readonly TrigramKeywords _longRunKeywords;
    private readonly CompiledPattern[] _alwaysRules;
    private readonly bool _always;
    private readonly bool _judgeGluedRuns;
    private readonly int _seedWords;
    private readonly bool _decodes;

    /// <param name="keywords">
    /// Keywords whose occurrence in the joined view makes the text a candidate. A keyword shorter than 2 chars or not
    /// ASCII disables the gate (every text is a candidate).
    /// </param>
    /// <param name="runThreshold">Token-run length that makes the text a candidate.</param>
    /// <param name="seedWords">Minimum BIP-39 phrase length, or 0 when seed detection is off.</param>
    /// <param name="decodes">Whether decoded layers are scanned (MaxDecodeDepth &gt; 0).</param>
    /// <param name="longRunKeywords">Keywords of the rules left out of <paramref name="keywords"/> because they need a long run.</param>
    /// <param name="alwaysRules">The keyword-less rules (gated by run length, digits and class runs).</param>
    public CleanTextGate(IEnumerable<string> keywords, int runThreshold, int seedWords, bool decodes,
        IEnumerable<string>? longRunKeywords = null, IEnumerable<CompiledPattern>? alwaysRules = null)
    {
        RunThreshold = runThreshold;
        _seedWords = seedWords;
        _decodes = decodes;
        _keywords = new TrigramKeywords(keywords);
        _always = _keywords.MatchesEverything;
        _longRunKeywords = new TrigramKeywords(longRunKeywords ?? []);
        _alwaysRules = alwaysRules is null ? [] : [.. alwaysRules];
        // Without the rules, a glued run cannot be judged: every long run stays a candidate.
        _judgeGluedRuns = alwaysRules is not null && longRunKeywords is not null;
    }

    public int RunThreshold { get; }

    /// <summary>True when <paramref name="text"/> may hold something a DLP detector would report.</summary>
    public bool IsCandidate(ReadOnlySpan<char> text)
    {
        if (_always || !Normalize.TextNormalizer.IsAsciiText(text)) return true;
        if (text.IndexOfAny('\t', '\r', '\n') < 0) return Check(text, text);
        // The joined view (what the patterns see) drops TAB/CR/LF; the line view (seed phrases, hex runs) reads them
        // as spaces, and every test made on the raw text treats them so.
        var buffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            int n = 0;
            var rest = text;
            while (true)
            {
                int cut = rest.IndexOfAny('\t', '\r', '\n');
                var part = cut < 0 ? rest : rest[..cut];
                part.CopyTo(buffer.AsSpan(n));
                n += part.Length;
                if (cut < 0) break;
                rest = rest[(cut + 1)..];
            }
            return Check(buffer.AsSpan(0, n), text);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private bool Check(ReadOnlySpan<char> joined, ReadOnlySpan<char> lines)
    {
        if (HasKeyword(joined) || LineShapes(lines) || _decodes && HasUrlEscape(lines)) return true;
        // Without line breaks both views are one text. With them, a long run of the line view is a candidate as usual,
        // while a run that is long only in the joined view (a line break between two words) is judged by what can use it.
        bool glued = _judgeGluedRuns && joined.Length != lines.Length;
        return glued ? HasLongRun(lines) || JoinedShapes(joined, glued: true) : JoinedShapes(joined, glued: false);
    }

    private bool HasLongRun(ReadOnlySpan<char> s)
    {
        int carry = 0;
        Span<char> tail = stackalloc char[64];
        for (int block = 0; block < s.Length; block += 64)
            if (HasRun(ClassifyJoined(Chunk(s, block, tail)).Tok, RunThreshold, ref carry)) return true;
        return false;
    }

    /// <summary>Rolling trigram of 5-bit folded codes against a bitmap; candidates verified exactly.</summary>
    internal bool HasKeyword(ReadOnlySpan<char> s) => _keywords.Contains(s);

    /// <summary>Token runs, digit clusters and dotted tokens on the joined view, 64 chars at a time as bit masks.</summary>
    internal bool JoinedShapes(ReadOnlySpan<char> s) => JoinedShapes(s, glued: false);

    // Pieces measured one by one by bench/Pipelock.Bench CleanTextGateBenchmark.
    internal bool GluedShapes(ReadOnlySpan<char> joined) => JoinedShapes(joined, glued: true);
    internal bool HasLongRunKeyword(ReadOnlySpan<char> joined) => _longRunKeywords.Contains(joined);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool JoinedShapes(ReadOnlySpan<char> s, bool glued)
    {
        int runCarry = 0, gluedDone = 0;
        var judge = new GluedRunJudge();
        ulong prevDigits = 0;
        Span<char> tail = stackalloc char[64];
        for (int block = 0; block < s.Length; block += 64)
        {
            var chunk = Chunk(s, block, tail);
            var (tok, digit, dot, dotTok) = ClassifyJoined(chunk);
            if (HasRun(tok, RunThreshold, ref runCarry)
                && (!glued || block + 64 > gluedDone && GluedRunsMatter(s, block, ref judge, out gluedDone))) return true;
            if (digit != 0 && BitOperations.PopCount(digit) + BitOperations.PopCount(prevDigits) >= TextFeatures.ClusterDigits
                && HasDigitCluster(s, block)) return true;
            prevDigits = digit;
            if (dot != 0)
            {
                // Only a dot inside a dotted-token run of 10+ chars can matter; runs crossing the block edge are checked exactly.
                ulong near = dot & (Covered(RunStarts(dotTok, DotTokenMin), DotTokenMin) | EdgeBits);
                for (; near != 0; near &= near - 1)
                    if (DottedTokenMatters(s, block + BitOperations.TrailingZeroCount(near))) return true;
            }
        }
        return false;
    }

    /// <summary>Seed-phrase words (sampled) and hex-ish runs on the line view.</summary>
    internal bool LineShapes(ReadOnlySpan<char> s) => LineShapes(s, _seedWords > 0, _decodes);

    /// <summary>
    /// For the full scan: whether a seed-phrase detector run on <paramref name="s"/> can find anything (the sampled
    /// word check; non-ASCII text always can).
    /// </summary>
    public bool MayHoldSeedPhrase(ReadOnlySpan<char> s) =>
        _seedWords > 0 && (!System.Text.Ascii.IsValid(s) || LineShapes(s, seed: true, hex: false));

    /// <summary>
    /// For the full scan: whether LayerDecoder can find a candidate in <paramref name="s"/>: a "%XX" escape, a hex-ish
    /// run of 16 hex digits, or a base64/base32 run (at least 16 token chars). Non-ASCII text always can.
    /// </summary>
    public bool MayHoldEncoding(ReadOnlySpan<char> s)
    {
        if (!System.Text.Ascii.IsValid(s) || HasUrlEscape(s) || LineShapes(s, seed: false, hex: true)) return true;
        int carry = 0;
        Span<char> tail = stackalloc char[64];
        for (int block = 0; block < s.Length; block += 64)
            if (HasRun(ClassifyJoined(Chunk(s, block, tail)).Tok, LayerDecoder.MinRun, ref carry)) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LineShapes(ReadOnlySpan<char> s, bool seed, bool hex)
    {
        int hexCarry = 0, hexDone = 0;
        long words = 0, nextSample = 0;
        ulong prevSep = 1;                 // the text start acts as a separator
        Span<char> tail = stackalloc char[64];
        for (int block = 0; block < s.Length; block += 64)
        {
            var chunk = Chunk(s, block, tail);
            var (sep, hexish) = ClassifyLines(chunk);
            // A run already examined up to hexDone is not examined again (a 2 MB run would otherwise cost quadratic time).
            if (hex && HasRun(hexish, HexRunDigits, ref hexCarry) && block + 64 > hexDone && HexRunMatters(s, block, out hexDone)) return true;
            if (seed)
            {
                // Any phrase of N consecutive words holds a word whose index is a multiple of N: only those words are
                // looked up, and only a list word among them earns an exact count of its neighbours.
                ulong starts = ~sep & (sep << 1 | prevSep);
                int count = BitOperations.PopCount(starts);
                while (words + count > nextSample)
                {
                    ulong x = starts;
                    for (long k = nextSample - words; k > 0; k--) x &= x - 1;
                    if (SeedRunAround(s, block + BitOperations.TrailingZeroCount(x))) return true;
                    nextSample += _seedWords;
                }
                words += count;
                prevSep = sep >> 63;
            }
        }
        return false;
    }

    private static bool HasUrlEscape(ReadOnlySpan<char> s)
    {
        int i = s.IndexOf('%');
        while (i >= 0)
        {
            if (i + 2 < s.Length && char.IsAsciiHexDigit(s[i + 1]) && char.IsAsciiHexDigit(s[i + 2])) return true;
            int next = s[(i + 1)..].IndexOf('%');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    private const ulong EdgeBits = (1UL << DotTokenMin) - 1 | ~0UL << (64 - DotTokenMin);

    /// <summary>The 64 chars at <paramref name="start"/>; the last block is padded with '|' (in no class of interest, a word separator).</summary>
    private static ReadOnlySpan<char> Chunk(ReadOnlySpan<char> s, int start, Span<char> tail)
    {
        if (start + 64 <= s.Length) return s.Slice(start, 64);
        tail.Fill('|');
        s[start..].CopyTo(tail);
        return tail;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: tier-0 vector code is many times slower
    private static (ulong Tok, ulong Digit, ulong Dot, ulong DotTok) ClassifyJoined(ReadOnlySpan<char> chunk)
    {
        ulong tok = 0, digit = 0, dot = 0, dotTok = 0;
        var u = MemoryMarshal.Cast<char, ushort>(chunk);
        for (int k = 0; k < 4; k++)
        {
            var b = Vector128.Narrow(Vector128.Create(u.Slice(16 * k, 8)), Vector128.Create(u.Slice(16 * k + 8, 8)));
            var lower = b | Vector128.Create((byte)0x20);
            var letter = Vector128.LessThanOrEqual(lower - Vector128.Create((byte)'a'), Vector128.Create((byte)25));
            var dig = Vector128.LessThanOrEqual(b - Vector128.Create((byte)'0'), Vector128.Create((byte)9));
            var isDot = Vector128.Equals(b, Vector128.Create((byte)'.'));
            var dashUnder = Vector128.Equals(b, Vector128.Create((byte)'-')) | Vector128.Equals(b, Vector128.Create((byte)'_'));
            var dt = letter | dig | isDot | dashUnder;
            var t = dt | Vector128.Equals(b, Vector128.Create((byte)'+')) | Vector128.Equals(b, Vector128.Create((byte)'/'))
                | Vector128.Equals(b, Vector128.Create((byte)'=')) | Vector128.Equals(b, Vector128.Create((byte)'~'));
            int shift = 16 * k;
            tok |= (ulong)t.ExtractMostSignificantBits() << shift;
            digit |= (ulong)dig.ExtractMostSignificantBits() << shift;
            dot |= (ulong)isDot.ExtractMostSignificantBits() << shift;
            dotTok |= (ulong)dt.ExtractMostSignificantBits() << shift;
        }
        return (tok, digit, dot, dotTok);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: tier-0 vector code is many times slower
    private static (ulong Sep, ulong Hexish) ClassifyLines(ReadOnlySpan<char> chunk)
    {
        ulong sep = 0, hexish = 0;
        var u = MemoryMarshal.Cast<char, ushort>(chunk);
        for (int k = 0; k < 4; k++)
        {
            var b = Vector128.Narrow(Vector128.Create(u.Slice(16 * k, 8)), Vector128.Create(u.Slice(16 * k + 8, 8)));
            var lower = b | Vector128.Create((byte)0x20);
            var space = Vector128.Equals(b, Vector128.Create((byte)' '));
            var control = Vector128.Equals(b, Vector128.Create((byte)'\t')) | Vector128.Equals(b, Vector128.Create((byte)'\n'))
                | Vector128.Equals(b, Vector128.Create((byte)'\r'));
            var punct = Vector128.Equals(b, Vector128.Create((byte)'-')) | Vector128.Equals(b, Vector128.Create((byte)','))
                | Vector128.Equals(b, Vector128.Create((byte)':'));
            var sp = space | control | punct | Vector128.Equals(b, Vector128.Create((byte)'|')) | Vector128.Equals(b, Vector128.Create((byte)';'));
            var hexDigit = Vector128.LessThanOrEqual(b - Vector128.Create((byte)'0'), Vector128.Create((byte)9))
                | Vector128.LessThanOrEqual(lower - Vector128.Create((byte)'a'), Vector128.Create((byte)5));
            var hx = hexDigit | space | control | punct | Vector128.Equals(b, Vector128.Create((byte)'\\'))
                | Vector128.Equals(lower, Vector128.Create((byte)'x'));
            int shift = 16 * k;
            sep |= (ulong)sp.ExtractMostSignificantBits() << shift;
            hexish |= (ulong)hx.ExtractMostSignificantBits() << shift;
        }
        return (sep, hexish);
    }

    /// <summary>Bits i where mask bits i..i+len-1 are all set (1 ≤ len ≤ 64).</summary>
    private static ulong RunStarts(ulong m, int len)
    {
        int have = 1;
        while (have * 2 <= len) { m &= m >> have; have *= 2; }
        return have < len ? m & m >> (len - have) : m;
    }

    /// <summary>Every bit covered by a run of <paramref name="len"/> starting at a set bit of <paramref name="starts"/>.</summary>
    private static ulong Covered(ulong starts, int len)
    {
        ulong c = starts;
        int have = 1;
        while (have * 2 <= len) { c |= c << have; have *= 2; }
        return have < len ? c | c << (len - have) : c;
    }

    /// <summary>A run of at least <paramref name="len"/> set bits inside this block, or continuing the previous one.</summary>
    private static bool HasRun(ulong m, int len, ref int carry)
    {
        int lead = BitOperations.TrailingZeroCount(~m);
        bool hit = carry + lead >= len || RunStarts(m, len) != 0;
        carry = m == ulong.MaxValue ? carry + 64 : BitOperations.LeadingZeroCount(~m);
        return hit;
    }

    /// <summary>State of the glued-run judgement across one text: runs seen, and the long-run keyword search done once.</summary>
    private struct GluedRunJudge
    {
        public int Runs;
        public bool KeywordsSearched, KeywordFound;
    }

    /// <summary>
    /// Judges the joined-view token runs meeting a block, which are long only because a line break joined two words
    /// (the line view has no long run). Only three things read such a run: a rule that needs a long run (its keyword must
    /// occur somewhere), a keyword-less rule (its length, digit and class-run gates, checked on the same window the
    /// full scan would use) and the PEM body detector (64+ chars). <paramref name="checkedUntil"/> is where the examined
    /// runs end.
    /// </summary>
    private bool GluedRunsMatter(ReadOnlySpan<char> s, int block, ref GluedRunJudge judge, out int checkedUntil)
    {
        int i = block;
        while (i > 0 && TextFeatures.IsTokenChar(s[i - 1])) i--;
        int end = Math.Min(s.Length, block + 64);
        while (i < end)
        {
            if (!TextFeatures.IsTokenChar(s[i])) { i++; continue; }
            int a = i, digits = 0;
            while (i < s.Length && TextFeatures.IsTokenChar(s[i])) { if (char.IsAsciiDigit(s[i])) digits++; i++; }
            int len = i - a;
            if (len < RunThreshold) continue;
            checkedUntil = i;
            if (len >= 64 || ++judge.Runs > TextFeatures.MaxSpans) return true;
            if (!judge.KeywordsSearched)
            {
                judge.KeywordFound = _longRunKeywords.Contains(s);
                judge.KeywordsSearched = true;
            }
            if (judge.KeywordFound) return true;
            foreach (var cp in _alwaysRules)
                if (!cp.IsDigitsRule && cp.TrySpanWindow(s, a, len, digits, classRuns: true, out _, out _)) return true;   // digit rules read clusters, checked apart
        }
        checkedUntil = i;
        return false;
    }


    /// <summary>Exact digit-cluster check (TextFeatures' rule) around a block with enough digits.</summary>
    private static bool HasDigitCluster(ReadOnlySpan<char> s, int block)
    {
        int i = Math.Max(0, block - 17);
        // Start at the real beginning of a cluster that runs into the window.
        while (i > 0 && (char.IsAsciiDigit(s[i - 1]) || s[i - 1] is ' ' or '-' && i > 1 && char.IsAsciiDigit(s[i - 2]) && char.IsAsciiDigit(s[i]))) i--;
        int end = Math.Min(s.Length, block + 64 + 17);
        int digits = 0;
        for (; i < end; i++)
        {
            char c = s[i];
            if (char.IsAsciiDigit(c)) { if (++digits >= TextFeatures.ClusterDigits) return true; }
            else if (!(digits > 0 && c is ' ' or '-' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))) digits = 0;
        }
        return false;
    }

    /// <summary>
    /// DotCollapse rewrites dotted tokens of ≥ 10 chars into a layer of their dot-free forms joined by spaces. One whose
    /// dots only lead or trail collapses to a substring of the text, already checked. Otherwise the collapsed token is new
    /// text ("paragraph.\nThe" joins to "paragraph.The", then "paragraphThe") and gets the same checks as the text: a run
    /// as long as the threshold or a keyword. Digits anywhere could join a neighbour's into a digit cluster, and a short
    /// collapsed word could be a seed-phrase word, so those always count.
    /// </summary>
    private bool DottedTokenMatters(ReadOnlySpan<char> s, int pos)
    {
        int a = pos, b = pos + 1;
        while (a > 0 && DlpScanner.IsDotToken(s[a - 1])) a--;
        while (b < s.Length && DlpScanner.IsDotToken(s[b])) b++;
        int len = b - a;
        if (len < DotTokenMin) return false;
        var token = s[a..b];
        int dots = token.Count('.');
        if (token.IndexOfAnyInRange('0', '9') >= 0 || _seedWords > 0 && len - dots <= 8) return true;
        if (!token.Trim('.').Contains('.')) return false;
        if (len - dots >= RunThreshold) return true;
        Span<char> collapsed = stackalloc char[len - dots];
        int n = 0;
        foreach (char c in token) if (c != '.') collapsed[n++] = c;
        return HasKeyword(collapsed);
    }


    /// <summary>
    /// Exact check of the hex-ish runs meeting a block: LayerDecoder decodes runs holding 16 hex digits.
    /// <paramref name="checkedUntil"/> is where the examined runs end.
    /// </summary>
    private static bool HexRunMatters(ReadOnlySpan<char> s, int block, out int checkedUntil)
    {
        int i = block;
        while (i > 0 && IsHexish(s[i - 1])) i--;
        int end = Math.Min(s.Length, block + 64);
        while (i < end)
        {
            if (!IsHexish(s[i])) { i++; continue; }
            int digits = 0;
            while (i < s.Length && IsHexish(s[i])) { if (char.IsAsciiHexDigit(s[i])) digits++; i++; }
            if (digits >= HexRunDigits) { checkedUntil = i; return true; }
        }
        checkedUntil = i;
        return false;
    }

    private static bool IsHexish(char c) => char.IsAsciiHexDigit(c) || c is ':' or ' ' or '-' or ',' or '\\' or 'x' or 'X' or '\t' or '\r' or '\n';

    /// <summary>Counts the list words around the word starting at <paramref name="start"/>; true when they reach a phrase.</summary>
    private bool SeedRunAround(ReadOnlySpan<char> s, int start)
    {
        int end = WordEnd(s, start);
        if (!SeedPhraseDetector.IsListWord(s[start..end])) return false;
        int count = 1;
        for (int b = start; count < _seedWords; )
        {
            int e = b;
            while (e > 0 && SeedPhraseDetector.IsSep(s[e - 1])) e--;
            if (e == 0) break;
            int a = e;
            while (a > 0 && !SeedPhraseDetector.IsSep(s[a - 1])) a--;
            if (!SeedPhraseDetector.IsListWord(s[a..e])) break;
            count++;
            b = a;
        }
        for (int a = end; count < _seedWords; )
        {
            while (a < s.Length && SeedPhraseDetector.IsSep(s[a])) a++;
            if (a >= s.Length) break;
            int e = WordEnd(s, a);
            if (!SeedPhraseDetector.IsListWord(s[a..e])) break;
            count++;
            a = e;
        }
        return count >= _seedWords;
    }

    private static int WordEnd(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && !SeedPhraseDetector.IsSep(s[i])) i++;
        return i;
    }


    /// <summary>
    /// Case-insensitive multi-keyword test: a rolling trigram of 5-bit folded codes against a 4 KB bitmap (resident in L1
    /// beside the text), candidates verified exactly. Letters are exact, digits share a code, the symbols keywords use
    /// get the few codes left, space is 0 and everything else 31; collisions only cost a verification.
    /// </summary>
    private sealed class TrigramKeywords
    {
        private readonly byte[] _code = new byte[128];
        private readonly ulong[] _tri = new ulong[(1 << 15) / 64];
        private readonly List<string> _pairs = [];
        private readonly Dictionary<int, string[]> _verify = [];

        public TrigramKeywords(IEnumerable<string> keywords)
        {
            for (int c = 'a'; c <= 'z'; c++) _code[c] = _code[c - 32] = (byte)(c - 'a' + 1);
            for (int c = '0'; c <= '9'; c++) _code[c] = 27;
            for (int c = 0; c < 128; c++)
                if (_code[c] == 0 && c != ' ') _code[c] = c switch { '-' or '_' => 28, '.' or ':' or '/' => 29, '=' or '~' or '+' => 30, _ => 31 };
            var lists = new Dictionary<int, List<string>>();
            foreach (var k in keywords)
            {
                if (k.Length < 2 || !System.Text.Ascii.IsValid(k)) { MatchesEverything = true; continue; }
                // A two-char keyword sets every trigram it starts, so the scan tests one bitmap per char; a keyword ending
                // the text has no third char and is checked once at the end.
                for (int third = k.Length == 2 ? 0 : -1; third < (k.Length == 2 ? 32 : 0); third++)
                {
                    int key = _code[k[0]] << 10 | _code[k[1]] << 5 | (third < 0 ? _code[k[2]] : third);
                    _tri[key >> 6] |= 1UL << (key & 63);
                    (lists.TryGetValue(key, out var l) ? l : lists[key] = []).Add(k);
                }
                if (k.Length == 2) _pairs.Add(k);
            }
            foreach (var (slot, l) in lists) _verify[slot] = [.. l.Distinct(StringComparer.OrdinalIgnoreCase)];
        }

        /// <summary>A keyword that cannot be searched (under 2 chars, not ASCII) makes every text match.</summary>
        public bool MatchesEverything { get; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: tier-0 vector code is many times slower
        public bool Contains(ReadOnlySpan<char> s)
        {
            if (MatchesEverything) return true;
            if (s.Length < 2) return false;
            foreach (var k in _pairs)
                if (s[^2..].Equals(k, StringComparison.OrdinalIgnoreCase)) return true;
            if (s.Length < 3) return false;
            // Text and keywords are ASCII (checked by the caller and the constructor), so the tables need no bounds checks.
            // The rolling code is a 3-cycle dependency chain per char: two halves run interleaved so the CPU overlaps them.
            ref byte code = ref MemoryMarshal.GetArrayDataReference(_code);
            ref ulong tri = ref MemoryMarshal.GetArrayDataReference(_tri);
            ref char c0 = ref MemoryMarshal.GetReference(s);
            int mid = s.Length / 2;                       // stream A ends trigrams at 2..mid, stream B at mid+1..end
            int ha = Unsafe.Add(ref code, c0) << 5 | Unsafe.Add(ref code, Unsafe.Add(ref c0, 1));
            int hb = Unsafe.Add(ref code, Unsafe.Add(ref c0, mid - 1)) << 5 | Unsafe.Add(ref code, Unsafe.Add(ref c0, mid));
            int steps = mid - 1;                          // A: i = 2..mid, B: j = mid+1..mid+steps
            for (int k = 0; k < steps; k++)
            {
                int i = 2 + k, j = mid + 1 + k;
                ha = (ha << 5 | Unsafe.Add(ref code, Unsafe.Add(ref c0, i))) & 0x7FFF;
                hb = (hb << 5 | Unsafe.Add(ref code, Unsafe.Add(ref c0, j))) & 0x7FFF;
                if ((((Unsafe.Add(ref tri, ha >> 6) >> (ha & 63)) | (Unsafe.Add(ref tri, hb >> 6) >> (hb & 63))) & 1) != 0
                    && (Verify(s, i - 2, ha) || Verify(s, j - 2, hb))) return true;
            }
            for (int j = mid + 1 + steps; j < s.Length; j++)   // B's tail when the length is odd
            {
                hb = (hb << 5 | Unsafe.Add(ref code, Unsafe.Add(ref c0, j))) & 0x7FFF;
                if ((Unsafe.Add(ref tri, hb >> 6) >> (hb & 63) & 1) != 0 && Verify(s, j - 2, hb)) return true;
            }
            return false;
        }

        private bool Verify(ReadOnlySpan<char> s, int start, int slot)
        {
            if (!_verify.TryGetValue(slot, out var cands)) return false;
            foreach (var k in cands)
                if (s[start..].StartsWith(k, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
    }
}
