using Pipelock.Scanners.Text;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// Undoes the shell tricks that hide a command from a regex (catalogue §3.8), in Pipelock's order:
/// Unicode normalise → decode <c>\NNN</c> / <c>\xHH</c> → resolve <c>`echo X`</c> / <c>$(printf [fmt] X)</c> →
/// strip <c>$'</c>, <c>$"</c>, quotes, backticks → drop <c>\</c> before word characters → remove empty positional
/// expansions → resolve <c>x=rm;$x</c> assignments, <c>${!x}</c> indirection and case modifiers →
/// <c>${HOME:0:1}</c>-style slashes → brace expansion → <c>${IFS}</c> to space → collapse <c>//</c> and <c>/./</c>.
/// Every step is a linear scan or a NonBacktracking regex, and every expansion has an explicit budget, so hostile
/// input finishes in time proportional to its length.
/// </summary>
public static partial class ShellDeobfuscator
{
    /// <summary>Argument text beyond this many characters (per call) is not examined.</summary>
    public const int MaxInputChars = 1 << 20;

    /// <summary>Tokens kept per view: the joined string still covers everything, single-token checks stop here.</summary>
    public const int MaxTokens = 4096;

    /// <summary>Substitutions per step and round: more is not a command a person or an agent writes.</summary>
    public const int MaxSubstitutions = 1024;

    private const int MaxResolveRounds = 3;

    /// <summary>Set when a step hit <see cref="MaxSubstitutions"/> and left the rest of the text unresolved.</summary>
    private sealed class Limits
    {
        public bool Saturated;
    }

    private static readonly RuleRegex CmdSubstitution = RuleRegex.BuiltIn(
        @"(?:\$\(|`)\s*(?:echo|printf)\s+(?:-[neE]{1,3}\s+)*(?:['""]?%[^\s'""]*['""]?\s+)*(?:'([^'`]*)'|""([^""$`]*)""|([\w./,:=+~-]+))\s*(?:\)|`)");
    private static readonly RuleRegex BackslashWord = RuleRegex.BuiltIn(@"\\(\w)");
    private static readonly RuleRegex Positional = RuleRegex.BuiltIn(@"\$\{!?[@*][^}]{0,64}\}|\$[@*]");
    private static readonly RuleRegex HomeSlash = RuleRegex.BuiltIn(@"\$\{(?:HOME|PWD|OLDPWD)(?::0:1|::1)\}");
    private static readonly RuleRegex Ifs = RuleRegex.BuiltIn(@"\$\{!?IFS(?:[^a-zA-Z0-9_}][^}]*)?\}|\$IFS\b");
    private static readonly RuleRegex PathRun = RuleRegex.BuiltIn(@"(^|[^:/])/(?:\.?/)+");

    /// <summary>Runs the whole pipeline on one argument string in one view.</summary>
    public static string Deobfuscate(string s, ShellViewKind kind = ShellViewKind.Policy) => Deobfuscate(s, kind, out _);

    /// <summary>
    /// As <see cref="Deobfuscate(string, ShellViewKind)"/>; <paramref name="saturated"/> reports that some step hit
    /// <see cref="MaxSubstitutions"/>, so part of the text may still be hidden (callers fail closed on it).
    /// </summary>
    public static string Deobfuscate(string s, ShellViewKind kind, out bool saturated)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Length > MaxInputChars) s = s[..MaxInputChars];
        s = PolicyText.Prepare(s, kind);
        var limits = new Limits();
        s = Resolve(s, limits);
        saturated = limits.Saturated;
        return s;
    }

    /// <summary>The pipeline after Unicode preparation.</summary>
    private static string Resolve(string s, Limits limits)
    {
        s = DecodeEscapes(s);
        s = ResolveSubstitutions(s, limits);
        if (s.Contains('$'))
        {
            // Empty expansions go before quotes are read, so x='…'"${@}" ; still reads as an assignment.
            s = s.Replace("${!#}", " bash ", StringComparison.Ordinal); // $0: the shell's own name
            s = Positional.Replace(s, "");
            s = s.Replace("\"\"", "", StringComparison.Ordinal).Replace("''", "", StringComparison.Ordinal);
        }
        var quotedAssignments = CollectQuotedAssignments(s);
        s = StripQuotes(s);
        s = s.Replace("\\\n", "", StringComparison.Ordinal);
        if (s.Contains('\\')) s = BackslashWord.Replace(s, "$1");
        if (s.Contains('$'))
        {
            s = Positional.Replace(s, "");
            s = ResolveVariables(s, quotedAssignments, limits);
            s = ResolveSubstitutions(s, limits);
            s = HomeSlash.Replace(s, "/");
        }
        if (s.Contains('{')) s = ExpandBraces(s, limits);
        if (s.Contains("IFS", StringComparison.Ordinal)) s = Ifs.Replace(s, " ");
        if (s.Contains('/')) s = PathRun.Replace(s, "$1/");
        return s;
    }

    private static string ResolveSubstitutions(string s, Limits limits)
    {
        if (!s.Contains("echo", StringComparison.OrdinalIgnoreCase) && !s.Contains("printf", StringComparison.OrdinalIgnoreCase)) return s;
        for (int round = 0; round < MaxResolveRounds; round++)
        {
            int count = 0;
            var next = CmdSubstitution.Replace(s, m =>
            {
                count++;
                return m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
            }, MaxSubstitutions);
            if (count >= MaxSubstitutions) limits.Saturated = true;
            if (ReferenceEquals(next, s) || next == s) break;
            s = next;
        }
        return s;
    }

    /// <summary>
    /// Decodes <c>\NNN</c> (octal) and <c>\xHH</c> everywhere, as Pipelock does, and the C escapes that only mean
    /// whitespace inside <c>$'…'</c> (<c>\t</c>, <c>\n</c>, <c>\r</c>), which are used as separators.
    /// </summary>
    internal static string DecodeEscapes(string s)
    {
        int first = s.IndexOf('\\');
        if (first < 0) return s;
        var sb = new StringBuilder(s.Length);
        sb.Append(s, 0, first);
        bool ansi = IsAnsiQuoteOpenBefore(s, first);
        for (int i = first; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '$' && i + 1 < s.Length && s[i + 1] == '\'') { ansi = true; sb.Append("$'"); i++; continue; }
            if (c == '\'' && ansi) { ansi = false; sb.Append(c); continue; }
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            char n = s[i + 1];
            if (n is >= '0' and <= '7')
            {
                int v = 0, j = i + 1;
                while (j < s.Length && j < i + 4 && s[j] is >= '0' and <= '7') v = v * 8 + (s[j++] - '0');
                sb.Append((char)(v & 0xFF));
                i = j - 1;
                continue;
            }
            if (n == 'x' && i + 3 < s.Length && char.IsAsciiHexDigit(s[i + 2]) && char.IsAsciiHexDigit(s[i + 3]))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 2, 2), 16));
                i += 3;
                continue;
            }
            if (ansi && n is 'n' or 't' or 'r' or '\\' or '\'')
            {
                sb.Append(n switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '\\' => '\\', _ => '\'' });
                i++;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsAnsiQuoteOpenBefore(string s, int end)
    {
        bool ansi = false;
        for (int i = 0; i < end; i++)
        {
            if (s[i] == '$' && i + 1 < end && s[i + 1] == '\'') { ansi = true; i++; }
            else if (s[i] == '\'' && ansi) ansi = false;
        }
        return ansi;
    }

    private static string StripQuotes(string s)
    {
        if (s.AsSpan().IndexOfAny("'\"`") < 0) return s;
        return s.Replace("$'", "", StringComparison.Ordinal).Replace("$\"", "", StringComparison.Ordinal)
            .Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal);
    }
}
