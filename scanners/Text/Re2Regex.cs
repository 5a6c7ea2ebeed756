using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Text;

/// <summary>
/// Compiles Go/RE2 patterns for .NET with RE2's meaning kept:
/// <c>\d \w \s</c> are ASCII-only in RE2 but Unicode in .NET, so they are rewritten to ASCII classes
/// (otherwise Arabic-Indic digits or Cyrillic letters would create matches Pipelock never had).
/// <c>\b</c> stays .NET's: an exact ASCII boundary needs lookarounds, which would force every such pattern onto the
/// backtracking engine (measured: timeouts on obfuscated shell input). The two agree on ASCII text, and every scanner
/// matches normalised text (confusables folded to ASCII, marks stripped), so they differ only beside non-ASCII letters
/// that survive normalisation (e.g. CJK), where .NET sees no boundary and RE2 does.
/// RE2 never backtracks; we use <see cref="RegexOptions.NonBacktracking"/> when the pattern allows it
/// (it rejects lookarounds and backreferences, which RE2 rejects too) so matching stays linear.
/// Results are cached per (pattern, options): patterns are compiled once.
/// </summary>
public static class Re2Regex
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, RegexOptions), Regex> Cache = new();

    /// <summary>Match timeout for the rare pattern that cannot run NonBacktracking (defence in depth).</summary>
    public static readonly TimeSpan FallbackTimeout = TimeSpan.FromMilliseconds(250);

    public static Regex Compile(string re2Pattern, bool ignoreCase = false)
    {
        var opts = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : 0);
        return Cache.GetOrAdd((re2Pattern, opts), static key =>
        {
            var translated = Translate(key.Item1);
            try
            {
                return new Regex(translated, key.Item2 | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return new Regex(translated, key.Item2 | RegexOptions.Compiled, FallbackTimeout);
            }
        });
    }

    /// <summary>Validates a user pattern; returns an error message or null.</summary>
    public static string? Validate(string re2Pattern)
    {
        try { _ = new Regex(Translate(re2Pattern), RegexOptions.CultureInvariant); return null; }
        catch (ArgumentException e) { return e.Message; }
    }

    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z", ["alpha"] = "A-Za-z", ["ascii"] = @"\x00-\x7F", ["blank"] = @"\t ", ["cntrl"] = @"\x00-\x1F\x7F",
        ["digit"] = "0-9", ["graph"] = "!-~", ["lower"] = "a-z", ["print"] = " -~", ["punct"] = @"!-/:-@\[-`{-~",
        ["space"] = @"\t\n\v\f\r ", ["upper"] = "A-Z", ["word"] = "0-9A-Za-z_", ["xdigit"] = "0-9A-Fa-f",
    };

    /// <summary>
    /// Rewrites RE2 syntax whose .NET meaning differs or that .NET lacks: ASCII \d \w \s, \pL, \Q…\E, (?P&lt;name&gt;…) and
    /// POSIX classes. Escapes inside character classes are handled too.
    /// </summary>
    public static string Translate(string p)
    {
        var sb = new StringBuilder(p.Length + 16);
        bool inClass = false;
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                char n = p[i + 1];
                i++;
                switch (n)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'D': sb.Append(inClass ? @"\x00-/:-\uFFFF" : "[^0-9]"); break;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'W': sb.Append(inClass ? @"\x00-/:-@\[-\^`\{-\uFFFF" : "[^0-9A-Za-z_]"); break;
                    case 's': sb.Append(inClass ? @"\t\n\f\r " : @"[\t\n\f\r ]"); break;
                    case 'S': sb.Append(inClass ? @"\x00-\x08\x0B\x0E-\x1F!-\uFFFF" : @"[^\t\n\f\r ]"); break;
                    case 'z': sb.Append(@"\z"); break;
                    // RE2's one-letter Unicode classes (\pL, \PN); .NET needs braces.
                    case 'p' or 'P' when i + 1 < p.Length && char.IsAsciiLetterUpper(p[i + 1]):
                        sb.Append('\\').Append(n).Append('{').Append(p[i + 1]).Append('}');
                        i++;
                        break;
                    // \Q…\E quotes a literal in RE2; .NET has no such syntax.
                    case 'Q':
                        int end = p.IndexOf(@"\E", i + 1, StringComparison.Ordinal);
                        var literal = end < 0 ? p[(i + 1)..] : p[(i + 1)..end];
                        sb.Append(inClass ? literal.Replace(@"\", @"\\").Replace("]", @"\]").Replace("^", @"\^").Replace("-", @"\-") : Regex.Escape(literal));
                        i = end < 0 ? p.Length : end + 1;
                        break;
                    default: sb.Append('\\').Append(n); break;
                }
                continue;
            }
            // RE2's (?P<name>…) is .NET's (?<name>…).
            if (c == '(' && !inClass && string.CompareOrdinal(p, i + 1, "?P<", 0, 3) == 0)
            {
                sb.Append("(?<");
                i += 3;
                continue;
            }
            // POSIX classes inside a bracket expression: .NET would read "[[:alpha:]]" as the chars '[', ':', 'a', ….
            if (c == '[' && inClass && i + 1 < p.Length && p[i + 1] == ':')
            {
                int close = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close > 0 && PosixClasses.TryGetValue(p[(i + 2)..close], out var chars))
                {
                    sb.Append(chars);
                    i = close + 1;
                    continue;
                }
            }
            if (c == '[' && !inClass) { inClass = true; sb.Append(c); if (i + 1 < p.Length && p[i + 1] == '^') { sb.Append('^'); i++; } if (i + 1 < p.Length && p[i + 1] == ']') { sb.Append(@"\]"); i++; } continue; }
            if (c == ']' && inClass) { inClass = false; sb.Append(c); continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
