namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Static analysis of an RE2 pattern: a lower bound on the longest run of token characters
/// (<c>A-Z a-z 0-9 + / = _ - . ~</c>, the run alphabet of <see cref="TextFeatures"/>) that every match contains.
/// A rule whose bound reaches the <see cref="CleanTextGate"/> run threshold cannot match a text without such a run,
/// so its keywords need not be searched on texts that have none (Hyperscan-style literal/shape extraction). Anything
/// the parser does not understand yields 0, which keeps the rule on the keyword path: the bound is only ever too low.
/// </summary>
internal static class TokenRunBound
{
    /// <summary>Guaranteed token run of every match of <paramref name="re2"/>, or 0 when unknown.</summary>
    public static int Of(string re2) => Describe(re2).Run;

    /// <summary>
    /// The longest repetition of a single char class that every match holds (<c>[0-9a-f]{32}</c> → 32 hex chars), with
    /// the class as ASCII chars (letters in both cases, since rules compile case-insensitively); (0, "") when unknown.
    /// </summary>
    public static (int Length, string Chars) ClassRun(string re2)
    {
        var d = Describe(re2);
        return (d.ClassLength, d.ClassChars);
    }

    /// <summary>Both bounds from one parse: the token run (<see cref="Of"/>) and the class run (<see cref="ClassRun"/>).</summary>
    public static (int Run, int ClassLength, string ClassChars) Describe(string re2)
    {
        if (Analyze(re2) is not { } s) return (0, 0, "");
        if (s.ClassLen == 0) return (s.Best, 0, "");
        var chars = new System.Text.StringBuilder();
        for (int c = 0; c < 128; c++)
            if ((s.ClassSet >> c & UInt128.One) != UInt128.Zero) chars.Append((char)c);
        return (s.Best, s.ClassLen, chars.ToString());
    }

    private static Shape? Analyze(string re2)
    {
        try
        {
            var p = new Parser(re2);
            var n = p.Alternation();
            return p.AtEnd ? n : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An atom of one char: its token shape, its class run of 1 and its char set (letters folded to both cases).</summary>
    private static Shape CharAtom(UInt128 set, bool allToken)
    {
        for (int c = 'a'; c <= 'z'; c++)
            if ((set >> c & UInt128.One) != UInt128.Zero || (set >> (c - 32) & UInt128.One) != UInt128.Zero)
                set |= UInt128.One << c | UInt128.One << (c - 32);
        var baseShape = allToken ? Shape.TokenChar : Shape.OtherChar;
        return set == UInt128.Zero ? baseShape : baseShape with { ClassLen = 1, ClassSet = set, AtomSet = set };
    }

    private static UInt128 Bit(char c) => c < 128 ? UInt128.One << c : UInt128.Zero;

    private static UInt128 Range(char lo, char hi)
    {
        UInt128 set = UInt128.Zero;
        for (int c = lo; c <= hi && c < 128; c++) set |= UInt128.One << c;
        return set;
    }

    private static readonly UInt128 Digits = Range('0', '9');
    private static readonly UInt128 Word = Range('0', '9') | Range('A', 'Z') | Range('a', 'z') | Bit('_');

    /// <summary>
    /// Facts about every match of a sub-pattern: AllToken (only token chars), MinLen, and lower bounds on the token run
    /// at its start (Pre), at its end (Suf) and anywhere (Best).
    /// </summary>
    private readonly record struct Shape(bool AllToken, int MinLen, int Pre, int Suf, int Best)
    {
        public static readonly Shape Empty = new(true, 0, 0, 0, 0);
        public static readonly Shape TokenChar = new(true, 1, 1, 1, 1);
        public static readonly Shape OtherChar = new(false, 1, 0, 0, 0);

        /// <summary>A repetition of one char class (ASCII, letters in both cases) that every match holds, and its length.</summary>
        public int ClassLen { get; init; }
        public UInt128 ClassSet { get; init; }
        /// <summary>Set only on single-char atoms: the chars the atom can match (0 = unknown or non-ASCII).</summary>
        public UInt128 AtomSet { get; init; }

        public Shape WithClass(int len, UInt128 set) => this with { ClassLen = len, ClassSet = set };

        public static Shape Concat(Shape a, Shape b) => new Shape(
            a.AllToken && b.AllToken,
            Sat(a.MinLen + b.MinLen),
            a.AllToken ? Sat(a.MinLen + b.Pre) : a.Pre,
            b.AllToken ? Sat(a.Suf + b.MinLen) : b.Suf,
            Math.Max(Math.Max(a.Best, b.Best), Sat(a.Suf + b.Pre)))
            .WithClass(a.ClassLen >= b.ClassLen ? a.ClassLen : b.ClassLen, a.ClassLen >= b.ClassLen ? a.ClassSet : b.ClassSet);

        // Either branch may match: a run of the shorter length over the union of both classes is what both guarantee.
        public static Shape Either(Shape a, Shape b) => new Shape(
            a.AllToken && b.AllToken, Math.Min(a.MinLen, b.MinLen), Math.Min(a.Pre, b.Pre), Math.Min(a.Suf, b.Suf), Math.Min(a.Best, b.Best))
            .WithClass(Math.Min(a.ClassLen, b.ClassLen), a.ClassSet | b.ClassSet);

        public Shape Repeat(int min)
        {
            if (min == 0) return AllToken ? Empty : new Shape(false, 0, 0, 0, 0);
            // x{n} of a single-char atom is a run of n chars of its class; of a group, the group's own class run.
            int classLen = AtomSet != UInt128.Zero ? Sat((long)min) : ClassLen;
            var classSet = AtomSet != UInt128.Zero ? AtomSet : ClassSet;
            if (AllToken) { int n = Sat((long)MinLen * min); return new Shape(true, n, n, n, n).WithClass(classLen, classSet); }
            return new Shape(false, Sat((long)MinLen * min), Pre, Suf, min >= 2 ? Math.Max(Best, Sat(Suf + Pre)) : Best).WithClass(classLen, classSet);
        }

        private static int Sat(long v) => (int)Math.Min(v, 1 << 20);
    }

    private static bool IsToken(char c) => TextFeatures.IsTokenChar(c);

    private sealed class Parser(string s)
    {
        private int _i;

        public bool AtEnd => _i >= s.Length;

        public Shape Alternation()
        {
            var shape = Sequence();
            while (_i < s.Length && s[_i] == '|')
            {
                _i++;
                shape = Shape.Either(shape, Sequence());
            }
            return shape;
        }

        private Shape Sequence()
        {
            var shape = Shape.Empty;
            while (_i < s.Length && s[_i] is not ('|' or ')'))
                shape = Shape.Concat(shape, Quantified(Atom()));
            return shape;
        }

        private Shape Quantified(Shape atom)
        {
            while (_i < s.Length)
            {
                int min;
                char c = s[_i];
                if (c is '*' or '?') { min = 0; _i++; }
                else if (c == '+') { min = 1; _i++; }
                else if (c == '{' && TryCounted(out min)) { }
                else break;
                if (_i < s.Length && s[_i] == '?') _i++;            // lazy: same set of matches
                atom = atom.Repeat(min);
            }
            return atom;
        }

        private bool TryCounted(out int min)
        {
            // RE2 treats a '{' that does not start {n}, {n,} or {n,m} as a literal.
            min = 0;
            int j = _i + 1, start = j;
            while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
            if (j == start || j >= s.Length) return false;
            min = int.Parse(s.AsSpan(start, j - start));
            if (s[j] == ',') { j++; while (j < s.Length && char.IsAsciiDigit(s[j])) j++; }
            if (j >= s.Length || s[j] != '}') return false;
            _i = j + 1;
            return true;
        }

        private Shape Atom()
        {
            char c = s[_i];
            switch (c)
            {
                case '(':
                    return Group();
                case '[':
                    return Class();
                case '.':
                    _i++;
                    return Shape.OtherChar;          // any char: no class worth a pre-check
                case '^' or '$':
                    _i++;
                    return Shape.Empty;
                case '\\':
                    return Escape();
                case '*' or '+' or '?':
                    throw new FormatException("dangling quantifier");
                default:
                    _i++;
                    return CharAtom(Bit(c), IsToken(c));
            }
        }

        private Shape Group()
        {
            _i++;
            bool lookaround = false;
            if (_i < s.Length && s[_i] == '?')
            {
                // (?:  (?i)  (?-i:  (?i:  (?P<name>  (?<name>  and, defensively, lookarounds (zero-width).
                int j = _i + 1;
                if (j < s.Length && (s[j] is '=' or '!' || s[j] == '<' && j + 1 < s.Length && s[j + 1] is '=' or '!'))
                {
                    lookaround = true;
                    _i = j + (s[j] == '<' ? 2 : 1);
                }
                else if (j < s.Length && (s[j] == 'P' || s[j] == '<'))
                {
                    int close = s.IndexOf('>', j);
                    if (close < 0) throw new FormatException("unterminated group name");
                    _i = close + 1;
                }
                else
                {
                    while (j < s.Length && (char.IsAsciiLetter(s[j]) || s[j] == '-')) j++;
                    if (j >= s.Length) throw new FormatException("unterminated flags");
                    if (s[j] == ')') { _i = j + 1; return Shape.Empty; }     // (?i): flags only, zero-width
                    if (s[j] != ':') throw new FormatException("unknown group");
                    _i = j + 1;
                }
            }
            var inner = Alternation();
            if (_i >= s.Length || s[_i] != ')') throw new FormatException("unbalanced parenthesis");
            _i++;
            return lookaround ? Shape.Empty : inner;
        }

        private Shape Escape()
        {
            if (_i + 1 >= s.Length) throw new FormatException("trailing backslash");
            char e = s[_i + 1];
            _i += 2;
            switch (e)
            {
                case 'd':
                    return CharAtom(Digits, true);
                case 'w':
                    return CharAtom(Word, true);
                case 'b' or 'B' or 'A' or 'z':
                    return Shape.Empty;
                case 's' or 'S' or 'D' or 'W' or 'n' or 'r' or 't' or 'f' or 'v':
                    return Shape.OtherChar;
                case 'x':
                    char h = HexChar();
                    return CharAtom(Bit(h), IsToken(h));
                case 'p' or 'P' or 'Q' or 'C':
                    throw new FormatException("unsupported escape");
                default:
                    if (char.IsAsciiLetterOrDigit(e)) throw new FormatException("unsupported escape");
                    return CharAtom(Bit(e), IsToken(e));
            }
        }

        private char HexChar()
        {
            if (_i < s.Length && s[_i] == '{')
            {
                int close = s.IndexOf('}', _i);
                if (close < 0) throw new FormatException("bad \\x{}");
                int v = Convert.ToInt32(s[(_i + 1)..close], 16);
                _i = close + 1;
                return v < 128 ? (char)v : '\0';
            }
            if (_i + 2 > s.Length) throw new FormatException("bad \\x");
            int h = Convert.ToInt32(s.Substring(_i, 2), 16);
            _i += 2;
            return (char)h;
        }

        /// <summary>A class is a token atom only when every member is a token char (negated classes never are).</summary>
        private Shape Class()
        {
            _i++;
            bool negated = _i < s.Length && s[_i] == '^';
            if (negated) _i++;
            bool allToken = true, first = true, known = true;
            UInt128 set = UInt128.Zero;
            while (true)
            {
                if (_i >= s.Length) throw new FormatException("unterminated class");
                char c = s[_i];
                if (c == ']' && !first) { _i++; break; }
                first = false;
                if (c == '[' && _i + 1 < s.Length && s[_i + 1] == ':')
                {
                    int close = s.IndexOf(":]", _i + 2, StringComparison.Ordinal);
                    if (close < 0) throw new FormatException("bad POSIX class");
                    var name = s[(_i + 2)..close];
                    allToken &= name is "alpha" or "digit" or "alnum" or "upper" or "lower" or "xdigit";
                    set |= name switch
                    {
                        "alpha" or "upper" or "lower" => Range('A', 'Z') | Range('a', 'z'),
                        "digit" => Digits,
                        "alnum" => Digits | Range('A', 'Z') | Range('a', 'z'),
                        "xdigit" => Digits | Range('A', 'F') | Range('a', 'f'),
                        _ => UInt128.Zero,
                    };
                    known &= name is "alpha" or "digit" or "alnum" or "upper" or "lower" or "xdigit";
                    _i = close + 2;
                    continue;
                }
                char lo;
                if (c == '\\')
                {
                    if (_i + 1 >= s.Length) throw new FormatException("trailing backslash");
                    char e = s[_i + 1];
                    _i += 2;
                    if (e is 'd' or 'w') { set |= e == 'd' ? Digits : Word; continue; }
                    if (e is 's') { allToken = false; set |= Bit(' ') | Bit('\t') | Bit('\n') | Bit('\r') | Bit('\f') | Bit('\v'); continue; }
                    if (e is 'n' or 'r' or 't' or 'f' or 'v') { allToken = false; set |= Bit(e switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'f' => '\f', _ => '\v' }); continue; }
                    if (e is 'S' or 'D' or 'W' or 'p' or 'P') { allToken = false; known = false; continue; }
                    lo = e == 'x' ? HexChar() : e;
                    if (e != 'x' && char.IsAsciiLetterOrDigit(e)) throw new FormatException("unsupported class escape");
                }
                else { lo = c; _i++; }
                char hi = lo;
                if (_i + 1 < s.Length && s[_i] == '-' && s[_i + 1] != ']')
                {
                    _i++;
                    if (s[_i] == '\\')
                    {
                        if (_i + 1 >= s.Length) throw new FormatException("trailing backslash");
                        char e = s[_i + 1];
                        _i += 2;
                        hi = e == 'x' ? HexChar() : e;
                    }
                    else hi = s[_i++];
                }
                for (int v = lo; v <= hi; v++)
                    if (!IsToken((char)v)) { allToken = false; break; }
                if (hi >= 128) known = false;
                set |= Range(lo, hi);
            }
            if (negated || !known) return Shape.OtherChar;
            return CharAtom(set, allToken);
        }
    }
}
