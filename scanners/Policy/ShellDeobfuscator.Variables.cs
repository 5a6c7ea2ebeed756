using Pipelock.Scanners.Text;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Policy;

public static partial class ShellDeobfuscator
{
    private const int MaxAssignments = 64;
    private const int MaxValueChars = 4096;
    private const int MaxBraceItems = 64;

    // name='value' / name="value" followed by a command separator (the quotes keep spaces, e.g. x='RM -RF /';).
    private static readonly RuleRegex QuotedAssign = RuleRegex.BuiltIn(@"(?:^|[\s;&|(])(\w+)=((?:'[^']*'|""[^""$`]*"")+)\s*(?:[;&|\n]|$)");
    // name=value followed by a separator, as Pipelock: the value may hold IFS tricks such as r,m.
    private static readonly RuleRegex PlainAssign = RuleRegex.BuiltIn(@"(\w+)=([^\s;&|]+)\s*[;&|]");
    // $name, ${name}, ${!name}, ${name<modifier>}.
    private static readonly RuleRegex VariableRef = RuleRegex.BuiltIn(@"\$\{(!?)(\w+)([^}]{0,32})\}|\$(\w+)");
    private static readonly RuleRegex BraceWord = RuleRegex.BuiltIn(@"([^\s;|&{}]*)\{([\w./:~@=*?+-]*(?:,[\w./:~@=*?+-]*)+)\}([^\s;|&{}]*)");

    private static Dictionary<string, string>? CollectQuotedAssignments(string s)
    {
        if (!s.Contains('=')) return null;
        Dictionary<string, string>? vars = null;
        foreach (var m in QuotedAssign.Matches(s, MaxAssignments))
        {
            vars ??= new(StringComparer.Ordinal);
            // 'a'"'"'b' style concatenations: the quotes go, the pieces join.
            var value = StripQuotes(m.Groups[2].Value);
            if (value.Length <= MaxValueChars) vars[m.Groups[1].Value] = value;
        }
        return vars;
    }

    private static string ResolveVariables(string s, Dictionary<string, string>? vars, Limits limits)
    {
        if (s.Contains('='))
        {
            foreach (var m in PlainAssign.Matches(s, MaxAssignments))
            {
                vars ??= new(StringComparer.Ordinal);
                // A quoted value seen earlier keeps its spaces; the unquoted capture would only hold its first word.
                if (m.Groups[2].Value.Length <= MaxValueChars) vars.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
            }
        }
        if (vars is null || vars.Count == 0) return s;

        // Growth budget: substitutions stop once the text has grown by this much.
        long budget = Math.Min((long)s.Length * 2 + 4096, MaxInputChars);
        for (int round = 0; round < MaxResolveRounds && budget > 0; round++)
        {
            bool changed = false;
            int count = 0;
            var next = VariableRef.Replace(s, m =>
            {
                count++;
                if (budget <= 0) { limits.Saturated = true; return m.Value; }
                var value = Lookup(m, vars);
                if (value is null) return m.Value;
                budget -= Math.Max(0, value.Length - m.Length);
                changed = true;
                return value;
            }, MaxSubstitutions);
            if (count >= MaxSubstitutions) limits.Saturated = true;
            s = next;
            if (!changed) break;
        }
        return s;
    }

    private static string? Lookup(Match m, Dictionary<string, string> vars)
    {
        if (m.Groups[4].Success) return vars.GetValueOrDefault(m.Groups[4].Value);
        var name = m.Groups[2].Value;
        if (!vars.TryGetValue(name, out var value)) return null;
        if (m.Groups[1].Length > 0 && !vars.TryGetValue(value, out value)) return null; // ${!x}: x names the variable
        return ApplyModifier(value, m.Groups[3].Value);
    }

    /// <summary>Case modifiers (<c>~~ ~ ^^ ^ ,, ,</c>) and <c>:offset[:length]</c> substrings; anything else leaves the value.</summary>
    private static string ApplyModifier(string value, string mod)
    {
        if (mod.Length == 0 || value.Length == 0) return value;
        switch (mod)
        {
            case "~~": return SwapCase(value, all: true);
            case "~": return SwapCase(value, all: false);
            case "^^": return value.ToUpperInvariant();
            case "^": return char.ToUpperInvariant(value[0]) + value[1..];
            case ",,": return value.ToLowerInvariant();
            case ",": return char.ToLowerInvariant(value[0]) + value[1..];
        }
        if (mod[0] == ':' && mod.Length > 1 && mod[1] is >= '0' and <= '9' or ':')
        {
            var parts = mod[1..].Split(':');
            int off = parts[0].Length == 0 ? 0 : int.TryParse(parts[0], out var o) ? o : -1;
            int len = parts.Length > 1 && int.TryParse(parts[1], out var l) ? l : value.Length;
            if (off < 0 || off > value.Length || len < 0) return value;
            return value.Substring(off, Math.Min(len, value.Length - off));
        }
        return value;
    }

    private static string SwapCase(string value, bool all)
    {
        var chars = value.ToCharArray();
        int n = all ? chars.Length : 1;
        for (int i = 0; i < n; i++)
            chars[i] = char.IsUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }

    /// <summary>
    /// Bash brace expansion of one level: <c>{rm,-rf,/tmp}</c> → <c>rm -rf /tmp</c>, <c>/etc/{passwd,shadow}</c> →
    /// <c>/etc/passwd /etc/shadow</c>. Items are limited to shell-word characters so JSON or code braces stay put.
    /// </summary>
    private static string ExpandBraces(string s, Limits limits)
    {
        long budget = Math.Min((long)s.Length * 2 + 4096, MaxInputChars);
        int count = 0;
        var result = BraceWord.Replace(s, m =>
        {
            count++;
            if (budget <= 0) { limits.Saturated = true; return m.Value; }
            var items = m.Groups[2].Value.Split(',', MaxBraceItems + 1);
            if (items.Length > MaxBraceItems) return m.Value;
            string prefix = m.Groups[1].Value, suffix = m.Groups[3].Value;
            var sb = new StringBuilder();
            foreach (var item in items)
            {
                if (prefix.Length + item.Length + suffix.Length == 0) continue;
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(prefix).Append(item).Append(suffix);
            }
            budget -= Math.Max(0, sb.Length - m.Length);
            return sb.ToString();
        }, MaxSubstitutions);
        if (count >= MaxSubstitutions) limits.Saturated = true;
        return result;
    }
}
