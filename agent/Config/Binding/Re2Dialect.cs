namespace Pipelock.Agent.Config.Binding;

/// <summary>
/// Checks a config regex against the RE2 dialect before the .NET engine sees it. The two dialects overlap but
/// differ both ways: .NET accepts lookarounds, backreferences and atomic groups, which RE2 (and so Pipelock)
/// rejects and which defeat linear-time matching; and some RE2 syntax (<c>(?P&lt;name&gt;…)</c>, <c>\pL</c>,
/// <c>\Q…\E</c>, <c>(?U)</c>, <c>[[:alpha:]]</c>) is unsupported or, worse, silently means something else in .NET
/// (<c>[[:alpha:]]</c> is a plain character set there). Both are reported as config errors instead of becoming
/// a pattern that matches differently from the user's intent.
/// </summary>
public static class Re2Dialect
{
    public static string? Check(string pattern)
    {
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char n = pattern[++i];
                if (n is >= '1' and <= '9' && !inClass) return "backreferences (\\1) are not RE2 syntax";
                if (n == 'k' && i + 1 < pattern.Length && pattern[i + 1] is '<' or '{' or '\'') return "backreferences (\\k<name>) are not RE2 syntax";
                if (n is 'p' or 'P' && (i + 1 >= pattern.Length || pattern[i + 1] != '{')) return $"one-letter Unicode classes (\\{n}X) are not supported by this build's engine; write \\{n}{{X}}";
                if (n == 'Q') return "\\Q…\\E quoting is not supported by this build's engine; escape the characters instead";
                if (n == 'C') return "\\C is not supported";
                continue;
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                    return "POSIX classes like [[:alpha:]] are not supported by this build's engine; use an explicit range such as [A-Za-z]";
                if (c == ']') inClass = false;
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') i++; // a leading ] is literal
                continue;
            }
            if (c == '(' && i + 1 < pattern.Length && pattern[i + 1] == '?')
            {
                var rest = pattern.AsSpan(i + 2);
                if (rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!"))
                    return "lookaround assertions are not RE2 syntax (RE2 never backtracks)";
                if (rest.StartsWith(">")) return "atomic groups (?>…) are not RE2 syntax";
                if (rest.StartsWith("P=") || rest.StartsWith("P>")) return "backreferences are not RE2 syntax";
                if (rest.StartsWith("P<")) return "(?P<name>…) is not supported by this build's engine; write (?<name>…), which RE2 also accepts";
                if (rest.StartsWith("#")) return "comment groups (?#…) are not RE2 syntax";
                if (rest.StartsWith("<") || rest.StartsWith("'")) continue; // (?<name>…) named group
                int end = rest.IndexOfAny(':', ')');
                if (end < 0) continue; // malformed; the engine reports it
                foreach (var f in rest[..end])
                {
                    if (f == 'U') return "the (?U) ungreedy flag is not supported by this build's engine; use lazy quantifiers (*?, +?) instead";
                    if (f is not ('i' or 'm' or 's' or '-')) return $"flag '{f}' is not RE2 syntax (RE2 flags: i, m, s, U)";
                }
            }
        }
        return null;
    }
}
