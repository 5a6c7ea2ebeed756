using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>Helpers that build provider rules in two shapes: a distinctive literal prefix, or keyword-anchored assignment.</summary>
internal static class RuleBuilder
{
    /// <summary>
    /// Keyword-context rule (gitleaks' semi-generic form): a provider keyword, up to 20 identifier characters, an
    /// assignment operator (<c>= : := ::= ?= =&gt; , &gt; ||</c>), optional quote, then the value shape, then a value
    /// terminator. The value is capture group 1. Used for providers whose keys are bare hex/alphanumerics, which
    /// would be pure noise without the keyword.
    /// </summary>
    public static DlpPattern Kw(string name, string[] keywords, string value, Severity severity = Severity.Critical, double minEntropy = 0)
    {
        var kw = string.Join('|', keywords.Select(System.Text.RegularExpressions.Regex.Escape));
        var re = $@"(?:{kw})(?:[ \t\w.-]{{0,20}})[\s'""]{{0,3}}(?:=|>|:{{1,3}}=|\|\||:|=>|\?=|,|\.=)[\x60'""\s=]{{0,5}}({value})(?:[\x60'""\s;,<)}}\]]|\\[nrt]|$)";
        return new DlpPattern(name, re, severity) { Keywords = keywords.Select(k => k.ToLowerInvariant()).ToArray(), ValueGroup = 1, MinEntropy = minEntropy, ContextRule = true };
    }

    /// <summary>Prefix rule: the token itself is distinctive. Keywords default to the regex's literal prefix.</summary>
    public static DlpPattern Px(string name, string regex, Severity severity = Severity.Critical, params string[] keywords) =>
        new(name, regex, severity) { Keywords = keywords.Length > 0 ? keywords : null };

    public const string Uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    public static string Hex(int n) => $"[a-f0-9]{{{n}}}";
    public static string An(int n) => $"[a-z0-9]{{{n}}}";
    public static string Aes(int n) => $"[a-z0-9_-]{{{n}}}";
    public static string Ae(int n) => $"[a-z0-9=_-]{{{n}}}";
    public static string Num(int n) => $"[0-9]{{{n}}}";
}
