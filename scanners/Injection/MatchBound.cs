namespace Pipelock.Scanners.Injection;

/// <summary>
/// An upper bound on how far any match of a pattern reaches: at most <see cref="Chars"/> characters through bounded
/// parts plus <see cref="Runs"/> unbounded repetitions of one run class (<c>\s+</c>, <c>\w*</c>, <c>-{3,}</c>), each of
/// which stays inside one run of <see cref="TextRuns"/>. With it a regex can run on a window around a keyword hit
/// instead of the whole text and still see every match that contains that hit.
/// </summary>
internal readonly record struct MatchBound(int Chars, int Runs)
{
    /// <summary>Above this a window is as good as the whole text.</summary>
    private const int MaxChars = 1 << 16;

    /// <summary>
    /// The bound of an RE2 pattern, or null when none can be given: <c>.*</c>, <c>[^x]+</c>, a repeated group that
    /// spans several classes, an end anchor (<c>$</c>, <c>\z</c>: a window end would fake the end of text), or syntax
    /// the analyser does not know. Null means "run on the whole text", which is always correct.
    /// </summary>
    public static MatchBound? Of(string pattern)
    {
        try
        {
            var p = new Parser(pattern);
            var r = p.Alternation(new Flags(false));
            if (p.Pos != pattern.Length) return null;
            return r.Chars > MaxChars || r.Runs > 64 ? null : new MatchBound((int)r.Chars, (int)r.Runs);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private readonly record struct Flags(bool IgnoreCase);

    /// <summary>Extent of a sub-pattern, and the single run class it consumes (null: several, or none yet).</summary>
    private readonly record struct Extent(long Chars, long Runs, ClassSet Classes);

    /// <summary>The set of run classes a sub-pattern can consume; <see cref="Single"/> is the class when there is exactly one.</summary>
    private readonly record struct ClassSet(int First, bool Many, bool Empty)
    {
        public static readonly ClassSet None = new(0, false, true);
        public static readonly ClassSet Mixed = new(0, true, false);

        public static ClassSet Of(int cls) => new(cls, false, false);

        public int? Single => Empty || Many ? null : First;

        public ClassSet Union(ClassSet o) =>
            Empty ? o : o.Empty ? this : Many || o.Many || First != o.First ? Mixed : this;
    }

    private sealed class Parser(string p)
    {
        public int Pos;

        private static FormatException Unbounded() => new();

        public Extent Alternation(Flags flags)
        {
            var best = Sequence(ref flags);
            while (Pos < p.Length && p[Pos] == '|')
            {
                Pos++;
                var b = Sequence(ref flags);
                best = new Extent(Math.Max(best.Chars, b.Chars), Math.Max(best.Runs, b.Runs), best.Classes.Union(b.Classes));
            }
            return best;
        }

        private Extent Sequence(ref Flags flags)
        {
            long chars = 0, runs = 0;
            var classes = ClassSet.None;
            while (Pos < p.Length && p[Pos] is not ('|' or ')'))
            {
                if (Atom(ref flags) is not { } atom) continue; // flag group or zero-width assertion
                var (min, max) = Quantifier();
                Extent e;
                if (max < 0)
                {
                    // Unbounded repetition: fine only within one run class, where it covers at most one run.
                    if (atom.Classes.Single is null) throw Unbounded();
                    e = new Extent(0, 1, atom.Classes);
                }
                else e = new Extent(atom.Chars * max, atom.Runs * max, max == 0 ? ClassSet.None : atom.Classes);
                chars += e.Chars;
                runs += e.Runs;
                classes = classes.Union(e.Classes);
                if (chars > MaxChars * 4L || runs > 1024) throw Unbounded();
            }
            return new Extent(chars, runs, classes);
        }

        /// <summary>(min, max) of a quantifier at <see cref="Pos"/>; max -1 is unbounded; (1, 1) when there is none.</summary>
        private (int Min, int Max) Quantifier()
        {
            if (Pos >= p.Length) return (1, 1);
            (int, int) q;
            switch (p[Pos])
            {
                case '*': Pos++; q = (0, -1); break;
                case '+': Pos++; q = (1, -1); break;
                case '?': Pos++; q = (0, 1); break;
                case '{':
                    int close = p.IndexOf('}', Pos);
                    if (close < 0) return (1, 1);
                    var body = p.AsSpan(Pos + 1, close - Pos - 1);
                    int comma = body.IndexOf(',');
                    if (!int.TryParse(comma < 0 ? body : body[..comma], System.Globalization.NumberStyles.None, null, out int min))
                        return (1, 1); // not a repetition: RE2 reads '{' as a literal
                    int max = min;
                    if (comma >= 0)
                    {
                        var hi = body[(comma + 1)..];
                        if (hi.IsEmpty) max = -1;
                        else if (!int.TryParse(hi, System.Globalization.NumberStyles.None, null, out max)) return (1, 1);
                    }
                    Pos = close + 1;
                    q = (min, max);
                    break;
                default: return (1, 1);
            }
            if (Pos < p.Length && p[Pos] == '?') Pos++; // lazy: same extent
            return q;
        }

        /// <summary>One atom; null for a flag group or a zero-width assertion.</summary>
        private Extent? Atom(ref Flags flags)
        {
            char c = p[Pos];
            switch (c)
            {
                case '(':
                    return Group(ref flags);
                case '[':
                    return One(Class(flags));
                case '.':
                    Pos++;
                    return One(ClassSet.Mixed);
                case '^':
                    Pos++;
                    return null;
                case '$':
                    throw Unbounded(); // a window end would look like the end of the text
                case '*' or '+' or '?':
                    throw Unbounded(); // quantifier without an atom: not ours to judge
                case '\\':
                    return Escape(flags);
                default:
                    Pos++;
                    return One(Literal(c, flags));
            }
        }

        private static Extent One(ClassSet s) => new(1, 0, s);

        private Extent? Group(ref Flags flags)
        {
            Pos++; // '('
            var inner = flags;
            if (Pos < p.Length && p[Pos] == '?')
            {
                Pos++;
                if (Pos < p.Length && p[Pos] == 'P') Pos++;
                if (Pos < p.Length && p[Pos] == '<')
                {
                    int end = p.IndexOf('>', Pos);
                    if (end < 0) throw Unbounded();
                    Pos = end + 1;
                }
                else
                {
                    bool neg = false;
                    bool ci = flags.IgnoreCase;
                    while (Pos < p.Length && p[Pos] is not (':' or ')'))
                    {
                        switch (p[Pos])
                        {
                            case '-': neg = true; break;
                            case 'i': ci = !neg; break;
                            case 's' or 'm' or 'U': break;
                            default: throw Unbounded();
                        }
                        Pos++;
                    }
                    if (Pos >= p.Length) throw Unbounded();
                    inner = new Flags(ci);
                    if (p[Pos] == ')')
                    {
                        Pos++;
                        flags = inner; // (?i): applies to the rest of the enclosing group
                        return null;
                    }
                    Pos++; // ':'
                }
            }
            var e = Alternation(inner);
            if (Pos >= p.Length || p[Pos] != ')') throw Unbounded();
            Pos++;
            return e;
        }

        private Extent? Escape(Flags flags)
        {
            if (Pos + 1 >= p.Length) throw Unbounded();
            char n = p[Pos + 1];
            Pos += 2;
            switch (n)
            {
                case 'b' or 'B' or 'A': return null;
                case 'z' or 'Z': throw Unbounded();
                case 'd' or 'w': return One(ClassSet.Of(TextRuns.Word));
                case 's': return One(ClassSet.Of(TextRuns.Space));
                case 'D' or 'W' or 'S' or 'C': return One(ClassSet.Mixed);
                case 'p' or 'P':
                    if (Pos < p.Length && p[Pos] == '{')
                    {
                        int end = p.IndexOf('}', Pos);
                        if (end < 0) throw Unbounded();
                        Pos = end + 1;
                    }
                    else Pos++;
                    return One(ClassSet.Mixed);
                case 'Q':
                {
                    int end = p.IndexOf(@"\E", Pos, StringComparison.Ordinal);
                    if (end < 0) end = p.Length;
                    long chars = 0;
                    var set = ClassSet.None;
                    for (int i = Pos; i < end; i++) { chars++; set = set.Union(Literal(p[i], flags)); }
                    Pos = Math.Min(p.Length, end + 2);
                    // A quantifier after \Q..\E applies to the last character only; treat the block as mixed so an
                    // unbounded repetition falls back to the whole text.
                    return new Extent(chars, 0, chars == 1 ? set : ClassSet.Mixed);
                }
                case 'x':
                    return One(Literal(HexEscape(), flags));
                case 'a': return One(Literal('\a', flags));
                case 'f': return One(Literal('\f', flags));
                case 't': return One(Literal('\t', flags));
                case 'n': return One(Literal('\n', flags));
                case 'r': return One(Literal('\r', flags));
                case 'v': return One(Literal('\v', flags));
                default:
                    if (char.IsAsciiLetterOrDigit(n)) throw Unbounded(); // octal, back-references: not ours to judge
                    return One(Literal(n, flags));
            }
        }

        private char HexEscape()
        {
            if (Pos < p.Length && p[Pos] == '{')
            {
                int end = p.IndexOf('}', Pos);
                if (end < 0 || !int.TryParse(p.AsSpan(Pos + 1, end - Pos - 1), System.Globalization.NumberStyles.HexNumber, null, out int v) || v > 0xFFFF)
                    throw Unbounded();
                Pos = end + 1;
                return (char)v;
            }
            if (Pos + 2 > p.Length || !int.TryParse(p.AsSpan(Pos, 2), System.Globalization.NumberStyles.HexNumber, null, out int b)) throw Unbounded();
            Pos += 2;
            return (char)b;
        }

        private static ClassSet Literal(char c, Flags flags)
        {
            var s = ClassSet.Of(TextRuns.ClassOf(c));
            if (!flags.IgnoreCase || c < 128) return s; // ASCII letters are word characters in either case
            return s.Union(ClassSet.Of(TextRuns.ClassOf(char.ToUpperInvariant(c))))
                .Union(ClassSet.Of(TextRuns.ClassOf(char.ToLowerInvariant(c))));
        }

        /// <summary>A bracket class: the run classes it can match (negated and Unicode classes are mixed).</summary>
        private ClassSet Class(Flags flags)
        {
            Pos++; // '['
            bool negated = Pos < p.Length && p[Pos] == '^';
            if (negated) Pos++;
            var set = ClassSet.None;
            bool first = true;
            while (Pos < p.Length && (p[Pos] != ']' || first))
            {
                first = false;
                if (p[Pos] == '[' && Pos + 1 < p.Length && p[Pos + 1] == ':')
                {
                    int end = p.IndexOf(":]", Pos + 2, StringComparison.Ordinal);
                    if (end < 0) throw Unbounded();
                    var name = p.AsSpan(Pos + 2, end - Pos - 2);
                    set = set.Union(name is "alpha" or "alnum" or "digit" or "upper" or "lower" or "word" or "xdigit"
                        ? ClassSet.Of(TextRuns.Word)
                        : name is "space" or "blank" ? ClassSet.Of(TextRuns.Space) : ClassSet.Mixed);
                    Pos = end + 2;
                    continue;
                }
                var (lo, loSet) = ClassChar(flags);
                if (loSet is { } member) { set = set.Union(member); continue; }
                if (Pos + 1 < p.Length && p[Pos] == '-' && p[Pos + 1] != ']')
                {
                    Pos++;
                    var (hi, hiSet) = ClassChar(flags);
                    if (hiSet is not null || hi < lo) throw Unbounded();
                    set = set.Union(Range(lo, hi, flags));
                }
                else set = set.Union(Literal(lo, flags));
            }
            if (Pos >= p.Length) throw Unbounded();
            Pos++; // ']'
            return negated ? ClassSet.Mixed : set;
        }

        /// <summary>One class member: a character, or a class escape (\s, \w, \d, \pL) as a set.</summary>
        private (char, ClassSet?) ClassChar(Flags flags)
        {
            char c = p[Pos];
            if (c != '\\') { Pos++; return (c, null); }
            if (Pos + 1 >= p.Length) throw Unbounded();
            char n = p[Pos + 1];
            Pos += 2;
            switch (n)
            {
                case 'd' or 'w': return ('\0', ClassSet.Of(TextRuns.Word));
                case 's': return ('\0', ClassSet.Of(TextRuns.Space));
                case 'D' or 'W' or 'S': return ('\0', ClassSet.Mixed);
                case 'p' or 'P':
                    if (Pos < p.Length && p[Pos] == '{')
                    {
                        int end = p.IndexOf('}', Pos);
                        if (end < 0) throw Unbounded();
                        Pos = end + 1;
                    }
                    else Pos++;
                    return ('\0', ClassSet.Mixed);
                case 'x': return (HexEscape(), null);
                case 'a': return ('\a', null);
                case 'f': return ('\f', null);
                case 't': return ('\t', null);
                case 'n': return ('\n', null);
                case 'r': return ('\r', null);
                case 'v': return ('\v', null);
                default:
                    if (char.IsAsciiLetterOrDigit(n)) throw Unbounded();
                    _ = flags;
                    return (n, null);
            }
        }

        private static ClassSet Range(char lo, char hi, Flags flags)
        {
            if (lo == hi) return Literal(lo, flags);
            if ((lo >= '0' && hi <= '9') || (lo >= 'A' && hi <= 'Z') || (lo >= 'a' && hi <= 'z')) return ClassSet.Of(TextRuns.Word);
            if (hi - lo <= 64)
            {
                var s = ClassSet.None;
                for (int c = lo; c <= hi; c++) s = s.Union(Literal((char)c, flags));
                return s;
            }
            return ClassSet.Mixed;
        }
    }
}
