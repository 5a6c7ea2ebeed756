using System.Text.RegularExpressions;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// A compiled list of rules with a keyword pre-filter. One <see cref="KeywordIndex"/> pass finds the
/// keyword occurrences; a rule runs only when one of its keywords occurs, and then only on windows around those
/// occurrences (keyword-less rules: on the long token runs or digit clusters of <see cref="TextFeatures"/>). So
/// regex cost follows the number of candidates, not the text length times the rule count.
/// </summary>
internal sealed class PatternSet
{
    private const int MaxWindowsPerRule = 256;
    private const int MaxKeywordHits = 16384;
    private const int Back = 160;
    private const int Forward = 1024;
    private const int Widen = 64;

    private readonly CompiledPattern[] _patterns;
    private readonly KeywordIndex? _keywords;
    private readonly int[] _always;

    private readonly bool _classRuns;

    /// <param name="patterns">Rules, in report order.</param>
    /// <param name="classRuns">Skip windows without the rule's class run (off only for equivalence tests).</param>
    public PatternSet(IEnumerable<DlpPattern> patterns, bool classRuns = true)
    {
        _classRuns = classRuns;
        _patterns = patterns.Select((p, i) => new CompiledPattern(p, i)).ToArray();
        var kw = _patterns.SelectMany(p => p.Keywords.Select(k => (k, p.Index))).ToList();
        _keywords = kw.Count > 0 ? new KeywordIndex(kw) : null;
        _always = _patterns.Where(p => p.AlwaysRun).Select(p => p.Index).ToArray();
    }

    public int Count => _patterns.Length;

    public IReadOnlyList<CompiledPattern> Patterns => _patterns;

    /// <summary>Runs every rule that can match <paramref name="text"/>; appends findings for accepted hits.</summary>
    public void Scan(string text, TextFeatures features, string? host, string? tag, List<Finding> sink, ISet<string>? skipNames = null)
    {
        Dictionary<int, List<int>>? hits = null;
        int found = _keywords?.Find(text.AsSpan(), MaxKeywordHits, ref hits, static (int pos, int p, ref Dictionary<int, List<int>>? h) =>
        {
            h ??= [];
            if (!h.TryGetValue(p, out var l)) h[p] = l = [];
            if (l.Count <= MaxWindowsPerRule && (l.Count == 0 || l[^1] != pos)) l.Add(pos);
        }) ?? 0;
        if (found >= MaxKeywordHits && hits is not null)
        {
            // Keyword flood (padding to push a secret past the hit cap): every keyword rule scans the rest of the text,
            // including rules whose keyword lies beyond the cap and so was never recorded.
            foreach (var cp in _patterns)
            {
                if (cp.Keywords.Length == 0) continue;
                if (!hits.TryGetValue(cp.Index, out var l)) hits[cp.Index] = l = [];
                l.Add(int.MaxValue);
            }
        }
        if (hits is not null)
            foreach (var (p, positions) in hits.OrderBy(h => h.Key))
            {
                var cp = _patterns[p];
                if (cp.Pattern.NearChar != '\0')
                {
                    // int.MaxValue is the keyword-flood marker (scan the rest of the text): it must survive the proximity filter.
                    positions.RemoveAll(pos => pos != int.MaxValue && text.AsSpan(pos, Math.Min(256, text.Length - pos)).IndexOf(cp.Pattern.NearChar) < 0);
                    if (positions.Count == 0) continue;
                }
                RunRule(cp, text, KeywordWindows(text, positions), host, tag, sink, skipNames);
            }

        foreach (int p in _always)
        {
            var cp = _patterns[p];
            if (features.MaxRun < cp.MinRun || features.Digits < cp.Pattern.MinDigits) continue;
            RunRule(cp, text, SpanWindows(text, cp, features), host, tag, sink, skipNames);
        }
    }

    private void RunRule(CompiledPattern cp, string text, List<(int Start, int Length)> windows, string? host, string? tag,
        List<Finding> sink, ISet<string>? skipNames)
    {
        var p = cp.Pattern;
        if (p.IsExempt(host) || skipNames is not null && skipNames.Contains(p.Name)) return;
        foreach (var (ws, wl) in windows)
        {
            if (_classRuns && !cp.HasClassRun(text.AsSpan(ws, wl)) || FirstValidHit(cp, text, ws, wl) is not { } m) continue;
            sink.Add(new Finding(p.Scanner, p.Name, p.Severity, p.WarnOnly ? ScanAction.Warn : ScanAction.Block,
                Redaction.Redact(text.AsSpan(m.Index, m.Length)), tag is null ? m.Index : -1, tag) { Informational = p.WarnOnly });
            return;
        }
    }

    /// <summary>Windows around keyword hits, widened to whitespace so a token is never cut, merged when overlapping.</summary>
    private static List<(int, int)> KeywordWindows(string text, List<int> positions)
    {
        var windows = new List<(int, int)>();
        int lastEnd = -1;
        for (int i = 0; i < positions.Count; i++)
        {
            int pos = Math.Min(positions[i], text.Length - 1);
            if (positions[i] == int.MaxValue) pos = lastEnd < 0 ? 0 : lastEnd;
            int start = WidenLeft(text, Math.Max(0, pos - Back));
            // Past the per-rule window cap, scan the rest of the text in one window.
            int end = i >= MaxWindowsPerRule || positions[i] == int.MaxValue ? text.Length : WidenRight(text, Math.Min(text.Length, pos + Forward));
            if (start <= lastEnd && windows.Count > 0)
            {
                var (s0, _) = windows[^1];
                windows[^1] = (s0, Math.Max(end, lastEnd) - s0);
                lastEnd = Math.Max(end, lastEnd);
            }
            else { windows.Add((start, end - start)); lastEnd = end; }
            if (end == text.Length) break;
        }
        return windows;
    }

    /// <summary>Windows for keyword-less rules: the long token runs or the digit clusters that could hold a match.</summary>
    private List<(int, int)> SpanWindows(string text, CompiledPattern cp, TextFeatures f)
    {
        var spans = cp.IsDigitsRule ? f.Clusters : f.Runs;
        if (spans is null) return [(0, text.Length)];          // too many spans: scan the whole text
        var windows = new List<(int, int)>();
        foreach (var (s, l, d) in spans)
        {
            if (!cp.TrySpanWindow(text, s, l, d, _classRuns, out int start, out int end)) continue;
            if (windows.Count > 0 && windows[^1].Item1 + windows[^1].Item2 >= start)
                windows[^1] = (windows[^1].Item1, end - windows[^1].Item1);
            else windows.Add((start, end - start));
        }
        return windows;
    }

    private static int WidenLeft(string s, int i)
    {
        int limit = Math.Max(0, i - Widen);
        while (i > limit && !char.IsWhiteSpace(s[i - 1])) i--;
        return i;
    }

    private static int WidenRight(string s, int i)
    {
        int limit = Math.Min(s.Length, i + Widen);
        while (i < limit && !char.IsWhiteSpace(s[i])) i++;
        return i;
    }

    private static (int Index, int Length)? FirstValidHit(CompiledPattern cp, string text, int ws, int wl)
    {
        var p = cp.Pattern;
        try
        {
            if (p.ValueGroup == 0)
            {
                foreach (var vm in cp.Regex.EnumerateMatches(text.AsSpan(ws, wl)))
                {
                    int mi = ws + vm.Index;
                    if (MatchFilter.Accept(cp, text, mi, vm.Length, mi, vm.Length)) return (mi, vm.Length);
                }
                return null;
            }
            for (var m = cp.Regex.Match(text, ws, wl); m.Success; m = m.NextMatch())
            {
                var g = m.Groups[p.ValueGroup];
                int vi = g.Success ? g.Index : m.Index, vl = g.Success ? g.Length : m.Length;
                if (MatchFilter.Accept(cp, text, m.Index, m.Length, vi, vl)) return (vi, vl);
            }
            return null;
        }
        catch (RegexMatchTimeoutException)
        {
            // Only backtracking fallbacks can time out; windows keep inputs small, so this is a last resort. A rule that
            // cannot finish on this window fails closed (the whole window is reported as the hit, redacted as usual)
            // rather than letting possibly secret-bearing text through unscanned.
            return (ws, wl);
        }
    }
}
