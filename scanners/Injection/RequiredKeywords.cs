using System.Text;

namespace Pipelock.Scanners.Injection;

/// <summary>A literal that a match must contain; case-sensitive when it came from a <c>(?-i:…)</c> or non-(?i) region.</summary>
internal readonly record struct Keyword(string Text, bool CaseSensitive);

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
            var sets = parser.ParseAlternation(caseInsensitive: false);
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

    private List<HashSet<Keyword>> ParseAlternation(bool caseInsensitive)
    {
        var branches = new List<List<HashSet<Keyword>>> { ParseSequence(ref caseInsensitive) };
        while (_i < _p.Length && _p[_i] == '|')
        {
            _i++;
            branches.Add(ParseSequence(ref caseInsensitive));
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

    private static readonly HashSet<string> CommonWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "you", "all", "this", "that", "new", "use", "run", "get", "and", "are", "now", "not", "can", "for",
        "with", "from", "will", "must", "your", "have", "set", "put", "any", "always", "open", "read", "return",
    };

    private List<HashSet<Keyword>> ParseSequence(ref bool ci)
    {
        var sets = new List<HashSet<Keyword>>();
        var run = new StringBuilder();
        bool runCi = ci;
        void Flush()
        {
            if (run.Length > 0 && LongEnough(run.ToString())) sets.Add([new Keyword(run.ToString(), !runCi)]);
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
                var inner = ParseAlternation(innerCi);
                if (_i >= _p.Length || _p[_i] != ')') throw new FormatException();
                _i++;
                if (QuantifierMin() != 0) sets.AddRange(inner); // -1: no quantifier, the group is mandatory
                runCi = ci;
                continue;
            }
            if (c == '[') { Flush(); SkipClass(); QuantifierMin(); continue; }
            if (c is '.' or '^' or '$') { Flush(); _i++; QuantifierMin(); continue; }
            if (c is '*' or '+' or '?' or '{') throw new FormatException();

            char literal;
            if (c == '\\')
            {
                if (_i + 1 >= _p.Length) throw new FormatException();
                char n = _p[_i + 1];
                if (char.IsAsciiLetterOrDigit(n)) { Flush(); _i += 2; QuantifierMin(); continue; } // \s \w \b \d ...: not literal
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
            if (min < 0) run.Append(literal);
            else
            {
                if (min > 0) run.Append(literal);
                Flush();
            }
        }
        Flush();
        return sets;
    }

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

    private void SkipClass()
    {
        _i++; // '['
        if (_i < _p.Length && _p[_i] == '^') _i++;
        if (_i < _p.Length && _p[_i] == ']') _i++;
        while (_i < _p.Length && _p[_i] != ']')
        {
            if (_p[_i] == '\\') _i++;
            else if (_p[_i] == '[' && _i + 1 < _p.Length && _p[_i + 1] == ':') { int e = _p.IndexOf(":]", _i + 2, StringComparison.Ordinal); if (e < 0) throw new FormatException(); _i = e + 1; }
            _i++;
        }
        if (_i >= _p.Length) throw new FormatException();
        _i++;
    }
}
