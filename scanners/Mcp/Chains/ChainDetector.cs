using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Chains;

/// <summary>
/// Tool-chain detection (catalogue §3.7). Each tools/call is classified and appended to its session's history
/// (last <c>window_size</c> calls within <c>window_seconds</c>); a pattern matches when its steps appear in order
/// with at most <c>max_gap</c> other calls between consecutive steps and the last step is the current call (so the
/// call that completes a chain is the one reported / blocked). Every occurrence of step 1 is tried. The best match is
/// the highest severity, then the strictest action. Thread-safe; sessions bounded (LRU).
/// </summary>
public sealed class ChainDetector
{
    private readonly ChainOptions _options;
    private readonly TimeProvider _time;
    private readonly ToolClassifier _classifier;
    private readonly IReadOnlyList<ChainPattern> _patterns;
    private readonly BoundedLruMap<string, List<Call>> _sessions;
    private readonly Lock _gate = new();

    public ChainDetector(ChainOptions options, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        _options = options;
        _time = time ?? TimeProvider.System;
        _classifier = new ToolClassifier(options.ToolCategories);
        _patterns = BuildPatterns(options);
        _sessions = new BoundedLruMap<string, List<Call>>(Math.Max(1, options.MaxSessions), StringComparer.Ordinal);
    }

    /// <summary>The active patterns after overrides (disabled ones removed) and custom additions.</summary>
    public IReadOnlyList<ChainPattern> Patterns => _patterns;

    /// <summary>Records one tools/call and returns a chain finding when it completes a pattern.</summary>
    public Verdict Record(string sessionKey, string toolName, JsonElement? arguments = null)
    {
        if (!_options.Enabled) return Verdict.Clean;
        var category = _classifier.Classify(toolName, arguments);
        var now = _time.GetUtcNow();

        Call[] window;
        lock (_gate)
        {
            var history = _sessions.GetOrAdd(sessionKey, static _ => []);
            history.Add(new Call(toolName, category, now));
            var cutoff = now - TimeSpan.FromSeconds(_options.WindowSeconds);
            int drop = 0;
            while (drop < history.Count && (history.Count - drop > _options.WindowSize || history[drop].At < cutoff)) drop++;
            if (drop > 0) history.RemoveRange(0, drop);
            window = [.. history];
        }
        if (category is null) return Verdict.Clean;

        ChainPattern? best = null;
        int[]? bestIdx = null;
        foreach (var p in _patterns)
        {
            if (p.Steps[^1] != category) continue;
            var idx = Match(window, p.Steps, _options.MaxGap);
            if (idx is null) continue;
            if (best is null || p.Severity > best.Severity || (p.Severity == best.Severity && p.Action > best.Action))
            {
                best = p;
                bestIdx = idx;
            }
        }
        if (best is null) return Verdict.Clean;
        var evidence = string.Join(" → ", bestIdx!.Select(i => window[i].Tool + "(" + window[i].Category + ")"));
        return Verdict.Of(new Finding(ScannerNames.Chain, best.Name, best.Severity, best.Action, Redaction.Excerpt(evidence, 200)) { Location = "params.name" });
    }

    /// <summary>Drops a session's history.</summary>
    public bool Forget(string sessionKey)
    {
        lock (_gate) return _sessions.Remove(sessionKey);
    }

    /// <summary>
    /// Indexes of a match whose last step is the last call, or null. Tries every occurrence of step 1 and, for each
    /// step, every candidate within the gap (depth ≤ steps, width ≤ max_gap+1, window ≤ 20: bounded).
    /// </summary>
    internal static int[]? Match(IReadOnlyList<Call> window, IReadOnlyList<string> steps, int maxGap)
    {
        int last = window.Count - 1;
        var idx = new int[steps.Count];
        for (int start = 0; start <= last; start++)
        {
            if (window[start].Category != steps[0]) continue;
            idx[0] = start;
            if (Extend(window, steps, maxGap, 1, idx, last)) return idx;
        }
        return null;
    }

    private static bool Extend(IReadOnlyList<Call> w, IReadOnlyList<string> steps, int maxGap, int step, int[] idx, int last)
    {
        if (step == steps.Count) return idx[step - 1] == last;
        int from = idx[step - 1] + 1;
        int to = Math.Min(last, idx[step - 1] + 1 + maxGap);
        for (int i = from; i <= to; i++)
        {
            if (w[i].Category != steps[step]) continue;
            idx[step] = i;
            if (Extend(w, steps, maxGap, step + 1, idx, last)) return true;
        }
        return false;
    }

    private static List<ChainPattern> BuildPatterns(ChainOptions o)
    {
        var list = new List<ChainPattern>();
        foreach (var p in ChainPatterns.BuiltIn.Concat(o.CustomPatterns))
        {
            if (o.PatternOverrides.TryGetValue(p.Name, out var a))
            {
                if (a == ScanAction.None) continue;
                list.Add(p with { Action = a });
            }
            else list.Add(p);
        }
        return list;
    }

    internal readonly record struct Call(string Tool, string? Category, DateTimeOffset At);
}
