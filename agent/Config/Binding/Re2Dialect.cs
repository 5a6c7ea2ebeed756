namespace Pipelock.Agent.Config.Binding;

/// <summary>
/// Checks a config regex against the RE2 dialect before the .NET engine sees it. The two dialects overlap but
/// differ both ways: .NET accepts lookarounds, backreferences and atomic groups, which RE2 (and so Pipelock)
/// rejects and which defeat linear-time matching. RE2 syntax that .NET lacks or reads differently is translated by
/// <c>Re2Regex</c> (<c>(?P&lt;name&gt;…)</c>, <c>\pL</c>, <c>\Q…\E</c>, <c>[[:alpha:]]</c>, which .NET alone would read as a
/// plain character set); what cannot be translated (<c>(?U)</c>, <c>\C</c>, unknown POSIX class names) is reported as a
/// config error instead of becoming a pattern that matches differently from the user's intent.
/// </summary>
public static class Re2Dialect
{
    private static readonly HashSet<string> PosixNames =
        ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit"];

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
                if (n is 'p' or 'P' && (i + 1 >= pattern.Length || pattern[i + 1] != '{' && !char.IsAsciiLetterUpper(pattern[i + 1])))
                    return $"\\{n} needs a Unicode class: \\{n}L or \\{n}{{Greek}}";
                if (n == 'Q')
                {
                    // Quoted literal: nothing inside is syntax.
                    int end = pattern.IndexOf("\\E", i + 1, StringComparison.Ordinal);
                    i = end < 0 ? pattern.Length : end + 1;
                    continue;
                }
                if (n == 'C') return "\\C is not supported";
                continue;
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    int close = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    var name = close < 0 ? "" : pattern[(i + 2)..close];
                    if (!PosixNames.Contains(name))
                        return $"unknown POSIX class [:{name}:]; RE2 has {string.Join(", ", PosixNames.Order(StringComparer.Ordinal))}";
                    i = close + 1;
                    continue;
                }
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
                if (rest.StartsWith("P<")) continue; // (?P<name>…): RE2's named group, translated
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
