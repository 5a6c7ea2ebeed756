using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// Compiles policy patterns so they always run on the linear NonBacktracking engine. <see cref="Re2Regex"/> keeps
/// RE2's ASCII <c>\b</c> by rewriting it as lookarounds, which NonBacktracking rejects, so nearly every policy rule
/// (almost all use <c>\b</c>) would fall back to the backtracking engine with a timeout: patterns such as
/// <c>\b(curl|wget)\b.*(-d\s|…)</c> then go quadratic on a 1 MB command and a timeout becomes a bypass. Policy
/// arguments are already folded to ASCII by the normaliser, so .NET's native <c>\b</c> (Unicode word characters) is
/// used instead; <c>\d \w \s</c> keep RE2's ASCII meaning through <see cref="Re2Regex.Translate"/>.
/// Patterns that still cannot run NonBacktracking go through <see cref="Re2Regex.Compile"/> unchanged.
/// </summary>
internal static class PolicyRegex
{
    private const string AsciiWordBoundary = @"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))";
    private const string AsciiNonBoundary = @"(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))";

    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static Regex Compile(string re2Pattern) => Cache.GetOrAdd(re2Pattern, static p =>
    {
        var translated = Re2Regex.Translate(p).Replace(AsciiWordBoundary, @"\b", StringComparison.Ordinal)
            .Replace(AsciiNonBoundary, @"\B", StringComparison.Ordinal);
        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return Re2Regex.Compile(p);
        }
    });
}
