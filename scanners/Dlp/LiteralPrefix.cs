using System.Text;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Pipelock's <c>extractLiteralPrefix</c>: strip a leading <c>(?i)</c>, unwrap a leading non-alternation group
/// <c>(?:…)</c>, then take literal characters (escaped <c>.\-_[](){}+*?^$|/</c> count as literals) up to the
/// first meta-character. Lowercased, for a case-insensitive contains test.
/// </summary>
internal static class LiteralPrefix
{
    public static string Extract(string regex)
    {
        var s = regex;
        if (s.StartsWith("(?i)", StringComparison.Ordinal)) s = s[4..];
        if (s.StartsWith("(?:", StringComparison.Ordinal))
        {
            int close = MatchingParen(s, 0);
            if (close > 0)
            {
                var inner = s[3..close];
                if (!inner.Contains('|')) s = inner + s[(close + 1)..];
            }
        }
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                char n = s[i + 1];
                if (".-_[](){}+*?^$|/\\".Contains(n)) { sb.Append(n); i++; continue; }
                break;
            }
            if ("[](){}+*?^$|.\\".Contains(c)) break;
            sb.Append(c);
        }
        // A quantifier right after the last literal makes that literal optional or repeated: drop it.
        if (sb.Length > 0 && s.Length > sb.Length && "?*{".Contains(s[Math.Min(s.Length - 1, RawLength(s, sb.Length))]))
            sb.Length--;
        return sb.ToString().ToLowerInvariant();
    }

    private static int RawLength(string s, int literalCount)
    {
        int i = 0, n = 0;
        while (i < s.Length && n < literalCount) { i += s[i] == '\\' ? 2 : 1; n++; }
        return i;
    }

    private static int MatchingParen(string s, int open)
    {
        int depth = 0;
        for (int i = open; i < s.Length; i++)
        {
            if (s[i] == '\\') { i++; continue; }
            if (s[i] == '(') depth++;
            else if (s[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }
}
