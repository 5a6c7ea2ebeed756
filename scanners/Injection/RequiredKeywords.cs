using System.Text;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// A literal that a match must contain; case-sensitive when it came from a <c>(?-i:…)</c> or non-(?i) region.
/// <paramref name="WordStart"/>: in a match the character before it is never an ASCII word character (the pattern puts
/// <c>\b</c>, <c>\s+</c>, <c>^</c> or a non-word literal there), so an occurrence inside a word ("dan" in "pandang") is no hit.
/// </summary>
internal readonly record struct Keyword(string Text, bool CaseSensitive, bool WordStart = false);

/// <summary>
/// Derives a conservative keyword requirement from an RE2 pattern: a list of keyword sets such that every match
/// contains at least one keyword of EACH set (an AND of ORs). This is a safer form of Pipelock's response
/// pre-filter (literal runs of each top-level branch): only literals that are mandatory for a match are used, so
/// the pre-filter can never hide a real match. An empty result means "always run the regex".
/// </summary>
internal sealed class RequiredKeywords
{
    private readonly string _p;
    private int _i;

    private RequiredKeywords(string pattern) => _p = pattern;

    public static List<HashSet<Keyword>> Extract(string pattern)
    {
        try
        {
            var parser = new RequiredKeywords(pattern);
            var sets = parser.ParseAlternation(caseInsensitive: false, Before.None, out _);
            return parser._i == pattern.Length ? sets : [];
        }
        catch (FormatException)
        {
            return []; // Unparsed construct: no requirement, the regex always runs.
        }
    }

    private static bool LongEnough(string s)
    {
        foreach (char c in s) if (c > 0x7F) return s.Length >= 2; // two CJK characters are already selective
        return s.Length >= 3;
    }

    /// <summary>
    /// What is known of the character before the current position in any match: nothing; a \b (so a word character
    /// here has a non-word character before it); or a non-word character (or the start of the text or line).
    /// </summary>
    private enum Before { None, Boundary, NonWord }

    /// <summary>What holds after "either a or b": the weaker of the two.</summary>
    private static Before Merge(Before a, Before b) => a == Before.None || b == Before.None ? Before.None
        : a == Before.Boundary || b == Before.Boundary ? Before.Boundary : Before.NonWord;

    private static bool IsAsciiWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool StartsWord(Before before, char first) =>
        before == Before.NonWord || (before == Before.Boundary && IsAsciiWord(first));

    private List<HashSet<Keyword>> ParseAlternation(bool caseInsensitive, Before entry, out Before exit)
    {
        var branches = new List<List<HashSet<Keyword>>> { ParseSequence(ref caseInsensitive, entry, out exit) };
        while (_i < _p.Length && _p[_i] == '|')
        {
            _i++;
            branches.Add(ParseSequence(ref caseInsensitive, entry, out var branchExit));
            exit = Merge(exit, branchExit);
        }
        if (branches.Count == 1) return branches[0];
        var union = new HashSet<Keyword>();
        foreach (var b in branches)
        {
            if (b.Count == 0) return [];
            union.UnionWith(Best(b));
        }
        return [union];
    }

    /// <summary>The most selective set of a requirement (longest shortest keyword, common words penalised).</summary>
    internal static HashSet<Keyword> Best(List<HashSet<Keyword>> sets)
    {
        HashSet<Keyword> best = sets[0];
        int bestScore = int.MinValue;
        foreach (var s in sets)
        {
            int score = int.MaxValue;
            foreach (var k in s) score = Math.Min(score, k.Text.Length - (CommonWords.Contains(k.Text) ? 10 : 0));
            if (score > bestScore || (score == bestScore && s.Count < best.Count)) { best = s; bestScore = score; }
        }
        return best;
    }

    /// <summary>Whether a set holds a word so common that finding all its occurrences would cost more than it saves.</summary>
    internal static bool IsCommon(HashSet<Keyword> set) => set.Any(k => CommonWords.Contains(k.Text));

    /// <summary>Words too common to be selective, also in their vowel-folded spelling ("yaa", "tha") for the vowel-fold variants.</summary>
    private static readonly HashSet<string> CommonWords = BuildCommonWords(
        "the", "you", "all", "this", "that", "new", "use", "run", "get", "and", "are", "now", "not", "can", "for",
        "with", "from", "will", "must", "your", "have", "set", "put", "any", "always", "open", "read", "return");

    private static HashSet<string> BuildCommonWords(params string[] words)
    {
        var set = new HashSet<string>(words, StringComparer.OrdinalIgnoreCase);
        foreach (var w in words) set.Add(Normalize.TextNormalizer.VowelFold(w));
        return set;
    }

    private List<HashSet<Keyword>> ParseSequence(ref bool ci, Before before, out Before exit)
    {
        var sets = new List<HashSet<Keyword>>();
        var run = new StringBuilder();
        bool runCi = ci;
        bool runWordStart = false;
        void Flush()
        {
            if (run.Length > 0 && LongEnough(run.ToString())) sets.Add([new Keyword(run.ToString(), !runCi, runWordStart)]);
            run.Clear();
        }

        while (_i < _p.Length && _p[_i] != '|' && _p[_i] != ')')
        {
            char c = _p[_i];
            if (c == '(')
            {
                Flush();
                bool innerCi = ci;
                _i++;
                if (_i < _p.Length && _p[_i] == '?')
                {
                    _i++;
                    if (_i < _p.Length && _p[_i] is 'P' or '<') { while (_i < _p.Length && _p[_i] != '>') _i++; _i++; }
                    else
                    {
                        bool neg = false, setI = false, clearI = false;
                        while (_i < _p.Length && _p[_i] != ':' && _p[_i] != ')')
                        {
                            if (_p[_i] == '-') neg = true;
                            else if (_p[_i] == 'i') { if (neg) clearI = true; else setI = true; }
                            _i++;
                        }
                        if (_i >= _p.Length) throw new FormatException();
                        if (setI) innerCi = true;
                        if (clearI) innerCi = false;
                        if (_p[_i] == ')') { _i++; ci = innerCi; runCi = ci; continue; } // flag group applies to the rest
                        _i++; // ':'
                    }
                }
                // A repeated group's later iterations may see another character before them, but its first
                // iteration, which every match holds, starts after what came before the group.
                var inner = ParseAlternation(innerCi, before, out var groupExit);
                if (_i >= _p.Length || _p[_i] != ')') throw new FormatException();
                _i++;
                int groupMin = QuantifierMin();
                if (groupMin != 0) sets.AddRange(inner); // -1: no quantifier, the group is mandatory
                before = groupMin == 0 ? Merge(before, groupExit) : groupExit;
                runCi = ci;
                continue;
            }
            if (c == '[')
            {
                Flush();
                bool nonWord = SkipClass();
                before = After(before, nonWord ? Before.NonWord : Before.None, QuantifierMin());
                continue;
            }
            if (c is '.' or '^' or '$')
            {
                Flush();
                _i++;
                before = After(before, c == '^' ? Before.NonWord : Before.None, QuantifierMin());
                continue;
            }
            if (c is '*' or '+' or '?' or '{') throw new FormatException();

            char literal;
            if (c == '\\')
            {
                if (_i + 1 >= _p.Length) throw new FormatException();
                char n = _p[_i + 1];
                if (char.IsAsciiLetterOrDigit(n))
                {
                    // \s \w \b \d ...: not literal
                    Flush();
                    _i += 2;
                    var what = n switch
                    {
                        'b' => Before.Boundary,
                        's' or 'W' or 'A' => Before.NonWord,
                        _ => Before.None,
                    };
                    before = After(before, what, QuantifierMin());
                    continue;
                }
                literal = n;
                _i += 2;
            }
            else
            {
                literal = c;
                _i++;
            }
            if (runCi != ci) { Flush(); runCi = ci; }
            int min = QuantifierMin();
            if (run.Length == 0) runWordStart = StartsWord(before, literal);
            var afterLiteral = IsAsciiWord(literal) || literal > 0x7F ? Before.None : Before.NonWord;
            if (min < 0)
            {
                run.Append(literal);
                before = afterLiteral;
            }
            else
            {
                if (min > 0) run.Append(literal);
                Flush();
                before = After(before, afterLiteral, min);
            }
        }
        Flush();
        exit = before;
        return sets;
    }

    /// <summary>The state after an element that leaves <paramref name="what"/> behind, repeated at least <paramref name="min"/> times (-1: once).</summary>
    private static Before After(Before before, Before what, int min) => min == 0 ? Merge(before, what) : what;

    /// <summary>Consumes a quantifier if present: returns its minimum, or -1 when there is none.</summary>
    private int QuantifierMin()
    {
        if (_i >= _p.Length) return -1;
        int min;
        switch (_p[_i])
        {
            case '?': case '*': min = 0; _i++; break;
            case '+': min = 1; _i++; break;
            case '{':
                int close = _p.IndexOf('}', _i);
                if (close < 0) return -1;
                var body = _p.AsSpan(_i + 1, close - _i - 1);
                int comma = body.IndexOf(',');
                if (!int.TryParse(comma < 0 ? body : body[..comma], out min)) return -1;
                _i = close + 1;
                break;
            default: return -1;
        }
        if (_i < _p.Length && _p[_i] == '?') _i++;
        return min;
    }

    /// <summary>Skips a bracket class; returns whether it can only match non-word ASCII characters (e.g. <c>[-,;:.\s]</c>).</summary>
    private bool SkipClass()
    {
        _i++; // '['
        bool nonWord = true;
        if (_i < _p.Length && _p[_i] == '^') { _i++; nonWord = false; }
        if (_i < _p.Length && _p[_i] == ']') _i++; // a leading ']' is a literal, and not a word character
        while (_i < _p.Length && _p[_i] != ']')
        {
            char c = _p[_i];
            if (c == '\\')
            {
                _i++;
                // Only \s and escaped punctuation are surely non-word; \w \d \pL \x41 \_ ... may not be.
                if (_i < _p.Length && (IsAsciiWord(_p[_i]) && _p[_i] != 's')) nonWord = false;
            }
            else if (c == '[' && _i + 1 < _p.Length && _p[_i + 1] == ':')
            {
                int e = _p.IndexOf(":]", _i + 2, StringComparison.Ordinal);
                if (e < 0) throw new FormatException();
                if (_p.AsSpan(_i + 2, e - _i - 2) is not ("space" or "blank")) nonWord = false;
                _i = e + 1;
            }
            else if (c == '-' && _i + 1 < _p.Length && _p[_i + 1] != ']' && _p[_i - 1] != '[')
            {
                nonWord = false; // a range: may span word characters
            }
            else if (IsAsciiWord(c) || c > 0x7F) nonWord = false;
            _i++;
        }
        if (_i >= _p.Length) throw new FormatException();
        _i++;
        return nonWord;
    }
}
