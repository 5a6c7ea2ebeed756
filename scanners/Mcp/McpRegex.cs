using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Mcp;

/// <summary>
/// Compiles the MCP rule patterns with RE2's ASCII <c>\d \w \s</c> (via <see cref="Text.Re2Regex.Translate"/>) but
/// .NET's native <c>\b</c>: Re2Regex spells <c>\b</c> with lookarounds, which rules out NonBacktracking and leaves the
/// rule on a backtracking engine with a 250 ms timeout (hit under load on first use, when the compiled regex is
/// JIT-ed). The native <c>\b</c> differs from RE2's only next to non-ASCII letters, which the tool-text normaliser has
/// already folded, and keeps every rule linear-time.
/// </summary>
internal static class McpRegex
{
    private const string Re2WordBoundary = @"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))";

    public static Regex Compile(string re2Pattern, bool ignoreCase = true)
    {
        var translated = Text.Re2Regex.Translate(re2Pattern).Replace(Re2WordBoundary, @"\b", StringComparison.Ordinal);
        var opts = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : 0);
        try
        {
            return new Regex(translated, opts | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(translated, opts, Text.Re2Regex.FallbackTimeout);
        }
    }
}
