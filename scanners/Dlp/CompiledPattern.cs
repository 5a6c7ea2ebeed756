using System.Text.RegularExpressions;
using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Dlp;

/// <summary>A <see cref="DlpPattern"/> with its regex compiled once and its pre-filter keywords resolved.</summary>
internal sealed class CompiledPattern
{
    public CompiledPattern(DlpPattern p, int index)
    {
        Pattern = p;
        Index = index;
        var re = BoundaryRewrite(p.Regex);
        re = re.StartsWith("(?i)", StringComparison.Ordinal) ? re : "(?i)" + re;
        // Compiled on first use: ~250 rules cost seconds of CPU to build up front (measured 3.2 s at start-up), and most
        // never pass their keyword pre-filter in a given process. Config validation compiles user patterns separately.
        _regex = new Lazy<Regex>(() =>
        {
            var compiled = Re2Regex.Compile(re);
            // Backtracking fallbacks get Re2Regex's 250 ms wall-clock timeout, which turns a slow (loaded) machine into
            // missed detections. Our rules are linear with bounded quantifiers and run on bounded windows, so they get a
            // generous timeout instead: detection stays deterministic, a pathological case is still cut off.
            return compiled.Options.HasFlag(RegexOptions.NonBacktracking)
                ? compiled
                : new Regex(Re2Regex.Translate(re), compiled.Options, TimeSpan.FromSeconds(5));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        if (p.Keywords is not null)
        {
            Keywords = p.Keywords.Select(k => k.ToLowerInvariant()).ToArray();
        }
        else
        {
            var prefix = LiteralPrefix.Extract(p.Regex);
            // A one-character prefix would let the rule run on almost any text: gate it on token length instead.
            Keywords = prefix.Length >= 2 ? [prefix] : [];
        }
        MinRun = p.MinRun > 0 ? p.MinRun : (Keywords.Length == 0 && p.MinDigits == 0 ? 16 : 0);
        StripPrefix = Keywords.Length == 1 ? Keywords[0].Length : 0;
        var (run, classLen, classChars) = TokenRunBound.Describe(p.Regex);
        TokenRun = run;
        if (classLen >= MinClassRun)
        {
            ClassRunLength = classLen;
            foreach (char c in classChars) _classBits[c >> 6] |= 1UL << (c & 63);
        }
    }

    /// <summary>
    /// Keeps RE2's ASCII meaning of <c>\b</c> exactly (Re2Regex keeps .NET's Unicode one). Every <c>\b</c> in these
    /// rules sits next to a word character, so the one-sided form suffices: at a pattern/group/alternative start it can
    /// only mean "no word char before", elsewhere "no word char after". The lookarounds put such rules on the
    /// backtracking engine (bounded windows, 5 s timeout that fails closed).
    /// </summary>
    internal static string BoundaryRewrite(string re)
    {
        if (!re.Contains(@"\b", StringComparison.Ordinal)) return re;
        var sb = new System.Text.StringBuilder(re.Length + 32);
        for (int i = 0; i < re.Length; i++)
        {
            if (re[i] == '\\' && i + 1 < re.Length)
            {
                if (re[i + 1] == 'b' && !InClass(re, i))
                {
                    bool atStart = sb.Length == 0 || sb[^1] is '(' or '|' || sb.ToString().EndsWith("(?:", StringComparison.Ordinal)
                        || sb.ToString().EndsWith("(?-i:", StringComparison.Ordinal) || sb.ToString().EndsWith("(?i)", StringComparison.Ordinal);
                    sb.Append(atStart ? "(?<![0-9A-Za-z_])" : "(?![0-9A-Za-z_])");
                }
                else sb.Append(re[i]).Append(re[i + 1]);
                i++;
                continue;
            }
            sb.Append(re[i]);
        }
        return sb.ToString();
    }

    private static bool InClass(string re, int pos)
    {
        bool inClass = false;
        for (int i = 0; i < pos; i++)
        {
            if (re[i] == '\\') { i++; continue; }
            if (re[i] == '[') inClass = true;
            else if (re[i] == ']') inClass = false;
        }
        return inClass;
    }

    public DlpPattern Pattern { get; }
    public int Index { get; }
    private readonly Lazy<Regex> _regex;

    public Regex Regex => _regex.Value;
    public string[] Keywords { get; }
    public int MinRun { get; }
    /// <summary>Characters of fixed prefix to drop before the placeholder check.</summary>
    public int StripPrefix { get; }

    /// <summary>Class runs shorter than this are too weak a filter to be worth checking.</summary>
    private const int MinClassRun = 12;

    /// <summary>A token run every match holds (<see cref="TokenRunBound.Of"/>); 0 when unknown.</summary>
    public int TokenRun { get; }

    /// <summary>
    /// A run of this many chars of the rule's class that every match holds (0 = none known): a window without one is
    /// skipped before the regex runs.
    /// </summary>
    public int ClassRunLength { get; }

    private readonly ulong[] _classBits = new ulong[2];

    /// <summary>
    /// False when <paramref name="window"/> cannot hold a match: no run of the rule's class that long. One table test per
    /// char, early exit. Non-ASCII chars count as members (case-insensitive matching has non-ASCII equivalents, e.g. the
    /// Kelvin sign for k).
    /// </summary>
    public bool HasClassRun(ReadOnlySpan<char> window)
    {
        if (ClassRunLength == 0) return true;
        if (window.Length < ClassRunLength) return false;
        ulong lo = _classBits[0], hi = _classBits[1];
        int run = 0, need = ClassRunLength;
        foreach (char c in window)
        {
            bool member = c < 64 ? (lo >> c & 1) != 0 : c < 128 ? (hi >> (c - 64) & 1) != 0 : true;
            if (!member) run = 0;
            else if (++run >= need) return true;
        }
        return false;
    }

    /// <summary>Keyword-less rule windowed on digit clusters (cards, SSNs) rather than token runs.</summary>
    public bool IsDigitsRule => Pattern.MinDigits > 0 && Pattern.MinRun == 0;

    /// <summary>
    /// For a keyword-less rule: whether it can match around the span (a token run, or a digit cluster for a digits rule)
    /// at <paramref name="start"/> of <paramref name="length"/> chars holding <paramref name="digits"/> digits, and if so
    /// the window its regex runs on. The one gate shared by the full scan and the clean-text gate.
    /// </summary>
    public bool TrySpanWindow(ReadOnlySpan<char> text, int start, int length, int digits, bool classRuns, out int windowStart, out int windowEnd)
    {
        windowStart = Math.Max(0, start - 8);
        windowEnd = Math.Min(text.Length, start + length + 64);
        if (IsDigitsRule ? digits < Pattern.MinDigits : length < MinRun || digits < Pattern.MinDigits) return false;
        // The class run may lie beyond the span ("<15 digits>|<27 chars>"), so the whole window is checked.
        return !classRuns || HasClassRun(text[windowStart..windowEnd]);
    }

    public bool AlwaysRun => Keywords.Length == 0;
}
