using Pipelock.Scanners.Encoding;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Generic credential assignments: a key named like a password/secret/token/api key (code, env files, YAML, JSON,
/// XML, CLI flags) holding a credential-like value. Keys are classified by <see cref="CredentialKey"/>; values go
/// through <see cref="ValueJudge"/> (placeholders, templates, variable references, function calls, words, low entropy).
/// </summary>
internal static class AssignmentDetector
{
    public const string PasswordRule = "Generic Password Assignment";
    public const string SecretRule = "Generic Secret Assignment";

    /// <summary>Key fragments that start a key candidate (also the clean-text gate's assignment keywords).</summary>
    internal static readonly string[] KeyFragments =
        ["pass", "pasw", "pwd", "pw", "psw", "pssw", "pword", "paasw", "secret", "token", "key", "auth", "cred", "bearer"];

    private static readonly KeywordIndex Keywords = new(KeyFragments.Select(k => (k, 0)));

    private const int MaxHits = 4096;

    public static void Scan(string text, List<Finding> sink, string? encoding)
    {
        var span = text.AsSpan();
        var positions = new List<int>();
        Keywords.Find(span, MaxHits, ref positions, static (int pos, int _, ref List<int> list) =>
        {
            if (list.Count == 0 || list[^1] != pos) list.Add(pos);
        });
        int lastKeyStart = -1, lastEnd = -1;
        bool pwDone = false, secretDone = false;
        foreach (int p in positions)
        {
            if (pwDone && secretDone) break;
            if (p < lastEnd) continue;
            int l = p, r = p;
            while (l > 0 && p - l < 64 && IsIdent(span[l - 1])) l--;
            while (r < span.Length && r - p < 64 && IsIdent(span[r])) r++;
            if (l == lastKeyStart) continue;
            lastKeyStart = l;
            lastEnd = r;

            var kind = CredentialKey.Classify(WithPrecedingWords(span, l, r));
            if (kind == KeyKind.None) continue;
            if (kind == KeyKind.Password ? pwDone : secretDone) continue;
            if (!TryReadValue(span, l, r, out int vStart, out int vLen, out bool quoted)) continue;
            var value = span.Slice(vStart, vLen);
            if (!ValueJudge.IsCredential(value, kind, quoted)) continue;

            bool pw = kind == KeyKind.Password;
            if (pw) pwDone = true; else secretDone = true;
            sink.Add(new Finding(ScannerNames.Dlp, pw ? PasswordRule : SecretRule, Severity.High, ScanAction.Block,
                Redaction.Redact(value), encoding is null ? vStart : -1, encoding));
        }
    }

    private static bool IsIdent(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    /// <summary>"Secret Key", "API Secret", "user pw", "Initial Password": one or two words before, joined by single spaces.</summary>
    private static ReadOnlySpan<char> WithPrecedingWords(ReadOnlySpan<char> s, int l, int r)
    {
        int start = l;
        for (int k = 0; k < 2; k++)
        {
            if (start < 2 || s[start - 1] != ' ' || !char.IsAsciiLetter(s[start - 2])) break;
            int w = start - 1;
            while (w > 0 && start - 1 - w < 20 && char.IsAsciiLetter(s[w - 1])) w--;
            start = w;
        }
        return s[start..r];
    }

    /// <summary>Parses "&lt;key&gt;["'] &lt;op&gt; ["']value["']" after the key ending at <paramref name="r"/>.</summary>
    private static bool TryReadValue(ReadOnlySpan<char> s, int l, int r, out int vStart, out int vLen, out bool quoted)
    {
        vStart = vLen = 0;
        quoted = false;
        int i = r;
        bool keyQuoted = l > 0 && s[l - 1] is '"' or '\'';
        int q = 0;
        while (i < s.Length && q < 3 && s[i] is '"' or '\'' or '`' or ']' or '\\' && !IsEscapedSpace(s, i)) { i++; q++; }
        int ws = SkipSpace(s, ref i);
        if (i >= s.Length) return false;

        int op = OperatorLength(s[i..]);
        bool xml = l > 0 && s[l - 1] == '<' && s[i] == '>';
        if (xml) op = 1;
        if (op == 0)
        {
            bool cliFlag = s[l] == '-';
            bool nextQuoted = s[i] is '"' or '\'' || s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '"';
            if (s[i] == ',' && (keyQuoted && OpensCall(s, l - 1) || IsConstantName(s[l..r]))) op = 1;   // setProperty("KEY", "v"), setopt(h, CURLOPT_PASSWORD, "v")
            else if (ws == 0 || !(cliFlag || nextQuoted)) return false;   // --password value / SET password "value"
        }
        int opPos = i;
        i += op;
        int wsAfter = SkipSpace(s, ref i);
        if (i >= s.Length) return false;
        // "KEY=" followed by a break means an empty value ("PASSWORD=\nNEXT=1"), and "…pw= " is base64 padding, not
        // an assignment: with '=' a space after the operator needs a space before it too ("password = x").
        if (op == 1 && s[opPos] == '=' && wsAfter > 0 && ws == 0) return false;
        if (op == 1 && s[opPos] == ',' && !(s[i] is '"' or '\'' or '`' or '\\')) return false;

        // Type annotations: "password: String = "x"", "passwd: str = "x"".
        if (op > 0 && s[opPos] == ':' && char.IsAsciiLetter(s[i]))
        {
            int j = i;
            while (j < s.Length && j - i < 24 && (char.IsAsciiLetterOrDigit(s[j]) || s[j] is '_' or '[' or ']' or '<' or '>' or '?')) j++;
            int k = j;
            while (k < s.Length && s[k] == ' ') k++;
            if (k > j && k + 1 < s.Length && s[k] == '=' && s[k + 1] != '=')
            {
                i = k + 1;
                while (i < s.Length && s[i] == ' ') i++;
            }
        }
        return ReadValue(s, i, out vStart, out vLen, out quoted);
    }

    private static int SkipSpace(ReadOnlySpan<char> s, ref int i)
    {
        int n = 0;
        while (i < s.Length && n < 8)
        {
            if (s[i] is ' ' or '\t' or '\n' or '\r') { i++; n++; }
            else if (IsEscapedSpace(s, i)) { i += 2; n++; }
            else break;
        }
        return n;
    }

    /// <summary>Literal "\t", "\n", "\r" in escaped source (JSON strings, C literals) separate tokens like whitespace.</summary>
    private static bool IsEscapedSpace(ReadOnlySpan<char> s, int i) => s[i] == '\\' && i + 1 < s.Length && s[i + 1] is 't' or 'n' or 'r';

    private static bool OpensCall(ReadOnlySpan<char> s, int quotePos)
    {
        int j = quotePos - 1;
        while (j >= 0 && s[j] == ' ') j--;
        return j >= 0 && s[j] == '(';
    }

    /// <summary>CURLOPT_PASSWORD, DB_PASSWORD: an all-caps constant passed as an argument before its value.</summary>
    private static bool IsConstantName(ReadOnlySpan<char> k)
    {
        bool letter = false;
        foreach (char c in k)
        {
            if (char.IsAsciiLetterLower(c)) return false;
            if (char.IsAsciiLetterUpper(c)) letter = true;
        }
        return letter && k.Contains('_');
    }

    internal static bool ReadValue(ReadOnlySpan<char> s, int i, out int vStart, out int vLen, out bool quoted)
    {
        vStart = vLen = 0;
        quoted = false;
        while (i < s.Length && s[i] == '\\') i++;                      // \"value\" in escaped JSON
        if (i >= s.Length) return false;
        char open = s[i];
        if (open is '"' or '\'' or '`')
        {
            quoted = true;
            int start = i + 1, end = start;
            while (end < s.Length && end - start < 256 && s[end] != open && !(s[end] == '\\' && end + 1 < s.Length && s[end + 1] == open)) end++;
            if (end >= s.Length || end - start >= 256)
            {
                // Unterminated quote (truncated line): take the token up to whitespace.
                end = start;
                while (end < s.Length && end - start < 256 && !char.IsWhiteSpace(s[end])) end++;
            }
            vStart = start;
            vLen = end - start;
            return vLen > 0;
        }
        int e = i;
        while (e < s.Length && e - i < 256 && !IsUnquotedEnd(s, e)) e++;
        vStart = i;
        vLen = e - i;
        return vLen > 0;
    }

    private static bool IsUnquotedEnd(ReadOnlySpan<char> s, int e) =>
        s[e] is ' ' or '\t' or '\r' or '\n' or ',' or ';' or ')' or ']' or '}' or '"' or '\'' or '`' or '<' or '>' or '&'
        || (s[e] == '\\' && e + 1 < s.Length && s[e + 1] is 'n' or 'r' or 't' or '"');

    private static int OperatorLength(ReadOnlySpan<char> s)
    {
        ReadOnlySpan<string> ops = [":::=", "::=", "===", "!==", ":=", "?=", ".=", "+=", "=>", "==", "!=", "->", "=", ":"];
        foreach (var op in ops)
            if (s.StartsWith(op, StringComparison.Ordinal)) return op.Length;
        return 0;
    }
}
