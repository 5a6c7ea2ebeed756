using Pipelock.Scanners.Collections;
using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Chains;

/// <summary>
/// Tool-chain detection (catalogue §3.7, Pipelock's <c>internal/mcp/chains</c>). Each tools/call is classified;
/// unclassified calls are not recorded (as in Pipelock, they neither match nor count as gap). The session history keeps
/// the last <c>window_size</c> classified calls within <c>window_seconds</c>; a pattern matches when its steps appear
/// in order with at most <c>max_gap</c> other recorded calls between consecutive steps, trying every occurrence of
/// step 1. As in Pipelock a chain stays matched while it is inside the window, so with action block the calls that
/// follow it are refused too. The best match is the highest severity, then the strictest action.
/// Thread-safe; sessions bounded (LRU).
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

        if (category is null) return Verdict.Clean;

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

        ChainPattern? best = null;
        int[]? bestIdx = null;
        foreach (var p in _patterns)
        {
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
    /// Indexes of the first match, or null. Tries every occurrence of step 1; from a start, taking the earliest
    /// occurrence of each next step is optimal (the gap restarts at each matched step), as in Pipelock's walker.
    /// Bounded: window ≤ window_size, steps ≤ pattern length.
    /// </summary>
    internal static int[]? Match(IReadOnlyList<Call> window, IReadOnlyList<string> steps, int maxGap)
    {
        if (steps.Count == 0) return null;
        var idx = new int[steps.Count];
        for (int start = 0; start < window.Count; start++)
        {
            if (window[start].Category != steps[0]) continue;
            idx[0] = start;
            int step = 1, gap = 0;
            for (int i = start + 1; i < window.Count && step < steps.Count; i++)
            {
                if (window[i].Category == steps[step])
                {
                    idx[step++] = i;
                    gap = 0;
                }
                else if (++gap > maxGap) break;
            }
            if (step == steps.Count) return idx;
        }
        return null;
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
