using System.Buffers;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// A compiled list of rules with a keyword pre-filter (one vectorised <see cref="SearchValues{T}"/> pass finds every
/// keyword occurrence) and length/digit gates for keyword-less rules, so rules whose keyword is absent never run.
/// </summary>
internal sealed class PatternSet
{
    private readonly CompiledPattern[] _patterns;
    private readonly SearchValues<string>? _keywords;
    private readonly Dictionary<char, (string Keyword, int[] Patterns)[]> _byFirst;
    private readonly int[] _always;

    public PatternSet(IEnumerable<DlpPattern> patterns)
    {
        _patterns = patterns.Select((p, i) => new CompiledPattern(p, i)).ToArray();
        var kw = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var p in _patterns)
            foreach (var k in p.Keywords)
                (kw.TryGetValue(k, out var l) ? l : kw[k] = []).Add(p.Index);
        _keywords = kw.Count > 0 ? SearchValues.Create(kw.Keys.ToArray(), StringComparison.OrdinalIgnoreCase) : null;
        _byFirst = kw.GroupBy(e => char.ToLowerInvariant(e.Key[0]))
            .ToDictionary(g => g.Key, g => g.Select(e => (e.Key, e.Value.ToArray())).ToArray());
        _always = _patterns.Where(p => p.AlwaysRun).Select(p => p.Index).ToArray();
    }

    public int Count => _patterns.Length;

    /// <summary>Marks which rules may match <paramref name="text"/>. Returns false when none can.</summary>
    public bool Select(ReadOnlySpan<char> text, in TextFeatures f, Span<bool> selected)
    {
        bool any = false;
        if (_keywords is not null)
        {
            int remaining = _patterns.Length - _always.Length;
            int pos = 0;
            while (remaining > 0 && pos < text.Length)
            {
                int i = text[pos..].IndexOfAny(_keywords);
                if (i < 0) break;
                pos += i;
                if (_byFirst.TryGetValue(char.ToLowerInvariant(text[pos]), out var cands))
                {
                    foreach (var (k, ps) in cands)
                    {
                        if (!text[pos..].StartsWith(k, StringComparison.OrdinalIgnoreCase)) continue;
                        foreach (int p in ps)
                            if (!selected[p]) { selected[p] = true; remaining--; any = true; }
                    }
                }
                pos++;
            }
        }
        if (_always.Length > 0)
        {
            foreach (int p in _always)
            {
                var cp = _patterns[p];
                if (f.MaxRun >= cp.MinRun && f.Digits >= cp.Pattern.MinDigits) { selected[p] = true; any = true; }
            }
        }
        return any;
    }

    /// <summary>Runs the selected rules; appends findings for hits that pass validator, placeholder and entropy checks.</summary>
    public void Match(string text, ReadOnlySpan<bool> selected, string? host, string? encoding, bool positions, List<Finding> sink, ISet<string>? skipNames = null)
    {
        for (int i = 0; i < _patterns.Length; i++)
        {
            if (!selected[i]) continue;
            var cp = _patterns[i];
            if (cp.Pattern.IsExempt(host)) continue;
            if (skipNames is not null && skipNames.Contains(cp.Pattern.Name)) continue;
            var hit = FirstValidHit(cp, text);
            if (hit is not { } m) continue;
            var p = cp.Pattern;
            sink.Add(new Finding(p.Scanner, p.Name, p.Severity, p.WarnOnly ? ScanAction.Warn : ScanAction.Block,
                Redaction.Redact(text.AsSpan(m.Index, m.Length)), positions ? m.Index : -1, encoding) { Informational = p.WarnOnly });
        }
    }

    private static (int Index, int Length)? FirstValidHit(CompiledPattern cp, string text)
    {
        var p = cp.Pattern;
        try
        {
            // Captures are only needed for rules with a value group; EnumerateMatches does not allocate.
            if (p.ValueGroup == 0)
            {
                foreach (var vm in cp.Regex.EnumerateMatches(text))
                    if (MatchFilter.Accept(cp, text, vm.Index, vm.Length, vm.Index, vm.Length)) return (vm.Index, vm.Length);
                return null;
            }
            for (var m = cp.Regex.Match(text); m.Success; m = m.NextMatch())
            {
                var g = m.Groups[p.ValueGroup];
                int vi = g.Success ? g.Index : m.Index, vl = g.Success ? g.Length : m.Length;
                if (MatchFilter.Accept(cp, text, m.Index, m.Length, vi, vl)) return (vi, vl);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Only non-NonBacktracking fallbacks can time out; treat as no match rather than stall the request.
        }
        return null;
    }
}
