namespace Pipelock.Scanners.Injection;

/// <summary>
/// Character classes for measuring how far a match can reach (<see cref="MatchBound"/>): ASCII word characters are one
/// class, ASCII whitespace together with <c>-,;:.</c> another (so <c>\s+</c> and <c>[-,;:.\s]+</c> each stay inside one
/// run), every other character is its own class. A run is a maximal stretch of one class.
/// </summary>
internal static class TextRuns
{
    public const int Word = 0;
    public const int Space = 1;

    private static readonly sbyte[] AsciiClass = BuildAscii();

    private static sbyte[] BuildAscii()
    {
        var t = new sbyte[128];
        for (int c = 0; c < 128; c++)
        {
            t[c] = char.IsAsciiLetterOrDigit((char)c) || c == '_' ? (sbyte)Word
                : c is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '-' or ',' or ';' or ':' or '.' ? (sbyte)Space
                : (sbyte)-1;
        }
        return t;
    }

    /// <summary>The run class of <paramref name="c"/>; the Kelvin sign counts as a word character because (?i)k matches it.</summary>
    public static int ClassOf(char c)
    {
        if (c < 128)
        {
            int k = AsciiClass[c];
            return k >= 0 ? k : c + 2;
        }
        return c == '\u212A' ? Word : c + 2;
    }

    /// <summary>
    /// The largest end e such that [<paramref name="from"/>, e) fits <paramref name="bound"/>: at most bound.Chars
    /// characters once the bound.Runs longest runs in it are taken as free (an unbounded repetition covers at most one run).
    /// </summary>
    public static int ReachRight(ReadOnlySpan<char> s, int from, MatchBound bound)
    {
        if (bound.Runs == 0) return (int)Math.Min(s.Length, (long)from + bound.Chars);
        var free = new FreeRuns(bound.Runs <= 32 ? stackalloc int[bound.Runs] : new int[bound.Runs], bound.Chars);
        for (int pos = from; pos < s.Length;)
        {
            int len = RunLengthRight(s, pos);
            if (!free.Take(len, out int partial)) return pos + partial;
            pos += len;
        }
        return s.Length;
    }

    /// <summary>Mirror of <see cref="ReachRight"/>: the smallest start s such that [s, <paramref name="to"/>) fits.</summary>
    public static int ReachLeft(ReadOnlySpan<char> s, int to, MatchBound bound)
    {
        if (bound.Runs == 0) return Math.Max(0, to - bound.Chars);
        var free = new FreeRuns(bound.Runs <= 32 ? stackalloc int[bound.Runs] : new int[bound.Runs], bound.Chars);
        for (int pos = to; pos > 0;)
        {
            int len = RunLengthLeft(s, pos);
            if (!free.Take(len, out int partial)) return pos - partial;
            pos -= len;
        }
        return 0;
    }

    /// <summary>
    /// The runs seen so far: the longest ones (up to the bound's run count) are free, the rest are charged against
    /// the character budget.
    /// </summary>
    private ref struct FreeRuns(Span<int> top, int budget)
    {
        private readonly Span<int> _top = top;
        private int _filled;
        private int _min; // index of the shortest free run, once all slots are filled
        private int _cost;

        /// <summary>
        /// Adds a run of <paramref name="len"/>: free while slots remain, else it replaces the shortest free run when
        /// longer. Returns false, with how much of the run still fits, once the cost exceeds the budget.
        /// </summary>
        public bool Take(int len, out int partial)
        {
            partial = 0;
            if (_filled < _top.Length)
            {
                _top[_filled++] = len;
                if (_filled == _top.Length) _min = MinIndex();
                return true;
            }
            int shortest = _top[_min];
            int charged = Math.Min(len, shortest);
            if (_cost + charged > budget)
            {
                partial = budget - _cost;
                return false;
            }
            _cost += charged;
            if (len > shortest)
            {
                _top[_min] = len;
                _min = MinIndex();
            }
            return true;
        }

        private readonly int MinIndex()
        {
            int m = 0;
            for (int i = 1; i < _top.Length; i++) if (_top[i] < _top[m]) m = i;
            return m;
        }
    }

    private static int RunLengthRight(ReadOnlySpan<char> s, int pos)
    {
        int k = ClassOf(s[pos]);
        int i = pos + 1;
        while (i < s.Length && ClassOf(s[i]) == k) i++;
        return i - pos;
    }

    private static int RunLengthLeft(ReadOnlySpan<char> s, int pos)
    {
        int k = ClassOf(s[pos - 1]);
        int i = pos - 1;
        while (i > 0 && ClassOf(s[i - 1]) == k) i--;
        return pos - i;
    }

    /// <summary>
    /// Moves <paramref name="end"/> right until the character there cannot be a word character for .NET's \b
    /// (non-ASCII counts as one), so a window edge never fakes a word boundary.
    /// </summary>
    public static int SafeEnd(ReadOnlySpan<char> s, int end)
    {
        while (end < s.Length && (s[end] >= 128 || char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')) end++;
        return end;
    }
}
