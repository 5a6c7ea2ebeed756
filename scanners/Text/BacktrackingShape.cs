namespace Pipelock.Scanners.Text;

/// <summary>
/// Decides whether a .NET pattern (after <see cref="Re2Regex.Translate"/>) is safe on the backtracking engine: every
/// repeated group (maximum above one) must be deterministic, i.e. read its text one way only. Inside it, each variable
/// quantifier's characters are disjoint from whatever may follow it (the rest of the iteration, else the next
/// iteration's first character), alternatives start with disjoint characters, and no iteration can be empty. Then an
/// iteration's extent is fixed by where it starts, so the engine can only choose how many iterations to take and where
/// the last one's final run ends: polynomial work, never the exponential blow-up of <c>(a+)+</c> or <c>(\S+\s*)+</c>.
/// Lookarounds, backreferences, atomic groups, conditionals and class subtraction are not cleared.
/// Character sets are kept as ASCII bitmaps plus one "some non-ASCII character" bit, so disjointness is conservative.
/// </summary>
internal static class BacktrackingShape
{
    public static bool IsCleared(string pattern)
    {
        try
        {
            int i = 0;
            var root = new Parser(pattern).ParseAlternation(ref i, ignoreCase: false);
            return i == pattern.Length && Visit(root, insideLoop: false);
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static bool Visit(Node n, bool insideLoop)
    {
        if (n.Branches is null) return true;
        if (n.Max > 1 && !insideLoop)
        {
            // Loops nested inside are checked by the determinism walk itself.
            if (Nullable(n.Branches) || !DeterministicAlt(n.Branches, First(n.Branches))) return false;
            insideLoop = true;
        }
        foreach (var seq in n.Branches)
            foreach (var item in seq)
                if (!Visit(item, insideLoop)) return false;
        return true;
    }

    private static bool DeterministicAlt(List<List<Node>> branches, CharSet follow)
    {
        var seen = CharSet.Empty;
        int nullable = 0;
        foreach (var seq in branches)
        {
            var first = First(seq);
            if (seen.Intersects(first)) return false;
            seen = seen.Union(first);
            if (NullableSeq(seq)) nullable++;
        }
        if (nullable > 1 || nullable == 1 && seen.Intersects(follow)) return false;
        foreach (var seq in branches)
            if (!DeterministicSeq(seq, follow)) return false;
        return true;
    }

    private static bool DeterministicSeq(List<Node> seq, CharSet follow)
    {
        var after = follow; // what may follow item k: the rest of the sequence, else the sequence's follow
        for (int k = seq.Count - 1; k >= 0; k--)
        {
            var n = seq[k];
            if (n.Branches is null)
            {
                if (n.Min != n.Max && n.Set.Intersects(after)) return false;
            }
            else
            {
                var first = First(n.Branches);
                bool variable = n.Min != n.Max;
                if (n.Max > 1)
                {
                    if (Nullable(n.Branches)) return false;
                    if (variable && first.Intersects(after)) return false;
                    if (!DeterministicAlt(n.Branches, first.Union(after))) return false;
                }
                else
                {
                    if (variable && first.Intersects(after)) return false;
                    if (!DeterministicAlt(n.Branches, after)) return false;
                }
            }
            after = IsNullable(n) ? First(n).Union(after) : First(n);
        }
        return true;
    }

    private static CharSet First(Node n) => n.Branches is null ? n.Set : First(n.Branches);

    private static CharSet First(List<List<Node>> branches)
    {
        var s = CharSet.Empty;
        foreach (var seq in branches) s = s.Union(First(seq));
        return s;
    }

    private static CharSet First(List<Node> seq)
    {
        var s = CharSet.Empty;
        foreach (var n in seq)
        {
            s = s.Union(First(n));
            if (!IsNullable(n)) break;
        }
        return s;
    }

    private static bool IsNullable(Node n) => n.Min == 0 || (n.Branches is null ? n.Set.IsEmpty : Nullable(n.Branches));

    private static bool Nullable(List<List<Node>> branches)
    {
        foreach (var seq in branches)
            if (NullableSeq(seq)) return true;
        return false;
    }

    private static bool NullableSeq(List<Node> seq)
    {
        foreach (var n in seq)
            if (!IsNullable(n)) return false;
        return true;
    }

    /// <summary>An atom (one character from <see cref="Set"/>; empty set = zero-width assertion) or a group, quantified.</summary>
    private sealed class Node
    {
        public CharSet Set;
        public List<List<Node>>? Branches;
        public int Min = 1;
        public int Max = 1;
    }

    private readonly struct CharSet(ulong lo, ulong hi, bool nonAscii)
    {
        private readonly ulong _lo = lo, _hi = hi;
        private readonly bool _nonAscii = nonAscii;

        public static readonly CharSet Empty = default;
        public static readonly CharSet All = new(ulong.MaxValue, ulong.MaxValue, true);

        public bool IsEmpty => _lo == 0 && _hi == 0 && !_nonAscii;

        public static CharSet Of(char c) => c >= 128 ? new(0, 0, true) : c < 64 ? new(1UL << c, 0, false) : new(0, 1UL << (c - 64), false);

        public static CharSet Range(char a, char b)
        {
            var s = Empty;
            for (int c = a; c <= Math.Min((int)b, 127); c++) s = s.Union(Of((char)c));
            return b >= 128 ? s.Union(new(0, 0, true)) : s;
        }

        public CharSet Union(CharSet o) => new(_lo | o._lo, _hi | o._hi, _nonAscii | o._nonAscii);

        public bool Intersects(CharSet o) => (_lo & o._lo) != 0 || (_hi & o._hi) != 0 || _nonAscii && o._nonAscii;

        public CharSet Complement() => new(~_lo, ~_hi, true);

        /// <summary>Case-insensitive closure, over-approximated: letters gain their other case and non-ASCII (K/k has the Kelvin sign).</summary>
        public CharSet Fold()
        {
            const ulong upper = 0x07FFFFFEUL, lower = 0x07FFFFFEUL << 32; // 'A'-'Z' is 65-90, 'a'-'z' 97-122 (bits of hi)
            ulong letters = _hi & (upper | lower);
            if (letters == 0) return this;
            return new(_lo, _hi | ((letters & upper) << 32) | ((letters & lower) >> 32), true);
        }
    }

    private sealed class Parser(string p)
    {
        public Node ParseAlternation(ref int i, bool ignoreCase)
        {
            var branches = new List<List<Node>> { new() };
            while (i < p.Length && p[i] != ')')
            {
                char c = p[i];
                if (c == '|') { branches.Add([]); i++; continue; }
                if (c is '*' or '+' or '?' || c == '{' && IsQuantifier(i))
                {
                    var seq = branches[^1];
                    if (seq.Count == 0) throw new NotSupportedException();
                    var last = seq[^1];
                    if (last.Min != 1 || last.Max != 1) throw new NotSupportedException(); // stacked quantifiers
                    ReadQuantifier(ref i, out last.Min, out last.Max);
                    if (i < p.Length && p[i] == '?') i++; // lazy
                    continue;
                }
                if (c == '(')
                {
                    if (TryInlineOptions(ref i, ref ignoreCase)) continue;
                    bool groupCase = ignoreCase;
                    OpenGroup(ref i, ref groupCase);
                    var g = ParseAlternation(ref i, groupCase);
                    if (i >= p.Length) throw new NotSupportedException();
                    i++; // ')'
                    branches[^1].Add(g);
                    continue;
                }
                var set = ReadAtom(ref i);
                branches[^1].Add(new Node { Set = ignoreCase ? set.Fold() : set });
            }
            return new Node { Branches = branches };
        }

        /// <summary>"(?i)", "(?-i)", "(?is)": flags for the rest of the group; true when consumed.</summary>
        private bool TryInlineOptions(ref int i, ref bool ignoreCase)
        {
            if (i + 2 >= p.Length || p[i + 1] != '?') return false;
            int j = i + 2;
            bool on = true, ic = ignoreCase;
            while (j < p.Length && (char.IsAsciiLetter(p[j]) || p[j] == '-'))
            {
                if (p[j] == '-') on = false;
                else if (p[j] == 'i') ic = on;
                j++;
            }
            if (j == i + 2 || j >= p.Length || p[j] != ')') return false;
            ignoreCase = ic;
            i = j + 1;
            return true;
        }

        private void OpenGroup(ref int i, ref bool ignoreCase)
        {
            i++;
            if (i >= p.Length || p[i] != '?') return; // capturing group
            int j = i + 1;
            if (j < p.Length && p[j] == ':') { i = j + 1; return; }
            if (j + 1 < p.Length && p[j] == '<' && char.IsAsciiLetter(p[j + 1]))
            {
                int end = p.IndexOf('>', j);
                if (end < 0) throw new NotSupportedException();
                i = end + 1;
                return;
            }
            // "(?i:...)" scoped options.
            bool on = true;
            while (j < p.Length && (char.IsAsciiLetter(p[j]) || p[j] == '-'))
            {
                if (p[j] == '-') on = false;
                else if (p[j] == 'i') ignoreCase = on;
                j++;
            }
            if (j > i + 1 && j < p.Length && p[j] == ':') { i = j + 1; return; }
            throw new NotSupportedException(); // lookaround, atomic group, conditional, comment
        }

        private bool IsQuantifier(int i)
        {
            int j = i;
            return TryReadBraces(ref j, out _, out _);
        }

        private void ReadQuantifier(ref int i, out int min, out int max)
        {
            switch (p[i])
            {
                case '*': min = 0; max = int.MaxValue; i++; return;
                case '+': min = 1; max = int.MaxValue; i++; return;
                case '?': min = 0; max = 1; i++; return;
            }
            if (!TryReadBraces(ref i, out min, out max)) throw new NotSupportedException();
        }

        private bool TryReadBraces(ref int i, out int min, out int max)
        {
            min = max = 0;
            int close = p.IndexOf('}', i);
            if (close < 0) return false;
            var body = p.AsSpan(i + 1, close - i - 1);
            int comma = body.IndexOf(',');
            if (comma < 0)
            {
                if (!Number(body, out min)) return false;
                max = min;
            }
            else
            {
                if (!Number(body[..comma], out min)) return false;
                if (comma == body.Length - 1) max = int.MaxValue;
                else if (!Number(body[(comma + 1)..], out max)) return false;
            }
            i = close + 1;
            return true;
        }

        private static bool Number(ReadOnlySpan<char> s, out int value) =>
            int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);

        private CharSet ReadAtom(ref int i)
        {
            char c = p[i];
            if (c == '[') return ReadClass(ref i);
            if (c == '\\') return ReadEscape(ref i, inClass: false);
            i++;
            return c switch
            {
                '.' => CharSet.All,
                '^' or '$' => CharSet.Empty,
                _ => CharSet.Of(c),
            };
        }

        private CharSet ReadClass(ref int i)
        {
            i++;
            bool negate = i < p.Length && p[i] == '^';
            if (negate) i++;
            var set = CharSet.Empty;
            bool first = true;
            while (true)
            {
                if (i >= p.Length) throw new NotSupportedException();
                char c = p[i];
                if (c == ']' && !first) { i++; break; }
                first = false;
                if (c == '[') throw new NotSupportedException(); // subtraction
                CharSet lowSet;
                char low;
                if (c == '\\')
                {
                    if (!TryEscapedChar(i, out low, out int len))
                    {
                        set = set.Union(ReadEscape(ref i, inClass: true));
                        continue;
                    }
                    i += len;
                    lowSet = CharSet.Of(low);
                }
                else { low = c; lowSet = CharSet.Of(c); i++; }
                if (i + 1 < p.Length && p[i] == '-' && p[i + 1] != ']')
                {
                    i++;
                    char high;
                    if (p[i] == '\\')
                    {
                        if (!TryEscapedChar(i, out high, out int len)) throw new NotSupportedException();
                        i += len;
                    }
                    else high = p[i++];
                    set = set.Union(CharSet.Range(low, high));
                }
                else set = set.Union(lowSet);
            }
            return negate ? set.Complement() : set;
        }

        /// <summary>Escapes that stand for one character (\t, \x41, \u00e9, \., ...); false for classes and assertions.</summary>
        private bool TryEscapedChar(int i, out char c, out int len)
        {
            c = '\0';
            len = 2;
            if (i + 1 >= p.Length) throw new NotSupportedException();
            char n = p[i + 1];
            switch (n)
            {
                case 't': c = '\t'; return true;
                case 'n': c = '\n'; return true;
                case 'r': c = '\r'; return true;
                case 'f': c = '\f'; return true;
                case 'v': c = '\v'; return true;
                case 'e': c = '\x1B'; return true;
                case 'a': c = '\a'; return true;
                case 'x' or 'u':
                    len = n == 'x' ? 4 : 6;
                    if (i + len > p.Length || !int.TryParse(p.AsSpan(i + 2, len - 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int v))
                        throw new NotSupportedException();
                    c = (char)v;
                    return true;
            }
            if (char.IsAsciiLetterOrDigit(n)) return false;
            c = n;
            return true;
        }

        private CharSet ReadEscape(ref int i, bool inClass)
        {
            if (TryEscapedChar(i, out char c, out int len)) { i += len; return CharSet.Of(c); }
            char n = p[i + 1];
            i += 2;
            switch (n)
            {
                case 'd': return CharSet.Range('0', '9').Union(new CharSet(0, 0, true));
                case 'D': return CharSet.Range('0', '9').Complement();
                case 'w': return Word();
                case 'W': return Word().Complement().Union(new CharSet(0, 0, true));
                case 's': return Space();
                case 'S': return Space().Complement();
                case 'p' or 'P':
                    if (i < p.Length && p[i] == '{')
                    {
                        int close = p.IndexOf('}', i);
                        if (close < 0) throw new NotSupportedException();
                        i = close + 1;
                    }
                    return CharSet.All;
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G' when !inClass: return CharSet.Empty;
                case 'b' when inClass: return CharSet.Of('\b');
                default: throw new NotSupportedException(); // backreferences, \k, \0 octal, \c
            }
        }

        private static CharSet Word() =>
            CharSet.Range('0', '9').Union(CharSet.Range('A', 'Z')).Union(CharSet.Range('a', 'z')).Union(CharSet.Of('_')).Union(new CharSet(0, 0, true));

        private static CharSet Space() =>
            CharSet.Range('\t', '\r').Union(CharSet.Of(' ')).Union(new CharSet(0, 0, true));
    }
}
