using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Injection;

/// <summary>One pattern compiled for one pass variant, with the keyword sets a match requires.</summary>
internal sealed class CompiledPattern
{
    private static readonly ConcurrentDictionary<string, Regex> Linear = new();
    private static readonly string AsciiBoundary = Re2Regex.Translate(@"\b");
    private static readonly string AsciiNonBoundary = Re2Regex.Translate(@"\B");

    public CompiledPattern(string name, string source)
    {
        Name = name;
        Source = source;
        Regex = Compile(source);
        var sets = RequiredKeywords.Extract(source);
        Required = [.. sets.Select(s => new KeywordGate(s))];
        Gate = sets.Count == 0 ? null : RequiredKeywords.Best(sets);
    }

    public string Name { get; }

    public string Source { get; }

    public Regex Regex { get; }

    /// <summary>Every gate must match before the regex can (empty: always run).</summary>
    public KeywordGate[] Required { get; }

    /// <summary>The most selective keyword set, used for the set-wide first look; null when the pattern always runs.</summary>
    public HashSet<Keyword>? Gate { get; }

    public bool MayMatch(ReadOnlySpan<char> text)
    {
        foreach (var g in Required)
            if (!g.Matches(text)) return false;
        return true;
    }

    /// <summary>
    /// Re2Regex keeps RE2's ASCII <c>\b</c> by expanding it to lookarounds, which pushes 14 of the 25 defaults onto the
    /// backtracking engine with a 250 ms timeout; cold JIT on a busy host exceeds it and a timeout must fail closed.
    /// Content reaching these regexes is already folded to ASCII by ForMatching, so for those patterns we use .NET's
    /// own <c>\b</c> on the linear NonBacktracking engine (deviation: a word boundary between an ASCII letter and an
    /// unfolded non-ASCII letter is not one here). Patterns that still need backtracking keep Re2Regex's engine.
    /// </summary>
    private static Regex Compile(string source)
    {
        var regex = Re2Regex.Compile(source);
        if ((regex.Options & RegexOptions.NonBacktracking) != 0) return regex;
        return Linear.GetOrAdd(source, static (src, fallback) =>
        {
            var translated = Re2Regex.Translate(src).Replace(AsciiBoundary, @"\b", StringComparison.Ordinal)
                .Replace(AsciiNonBoundary, @"\B", StringComparison.Ordinal);
            try
            {
                return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return fallback;
            }
        }, regex);
    }
}
