namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Hard negatives shared by every rule: values that are obviously not a credential (documentation placeholders,
/// template references, masked values). A real key is never one repeated character or a template expression,
/// so suppressing these costs no recall on real leaks while removing the most common false positives.
/// </summary>
public static class Placeholders
{
    private static readonly string[] Words =
    [
        "changeme", "change_me", "change-me", "placeholder", "redacted", "your_", "your-", "yourtoken", "yourkey",
        "yoursecret", "yourpassword", "insert_", "insert-", "_here", "-here", "replace_me", "replaceme", "dummy",
        "fake", "notreal", "not_real", "sample", "lorem", "todo", "fixme",
    ];

    /// <summary>True when the secret part of a match is a placeholder (after stripping the rule's fixed prefix).</summary>
    public static bool IsPlaceholderBody(ReadOnlySpan<char> body)
    {
        if (body.Length == 0) return true;
        if (DominantCharShare(body) >= 0.6) return true;           // xxxxxxxx, ******, 0000000, ZZZZ
        if (body.IndexOf("...") >= 0 || body.IndexOf('…') >= 0) return true;  // elided
        if (HasLongRun(body, 8)) return true;                       // XXXXXXXX inside a formatted token
        return false;
    }

    /// <summary>Stricter check for values found by generic (keyword-context) detectors.</summary>
    public static bool IsPlaceholderValue(ReadOnlySpan<char> value)
    {
        if (IsPlaceholderBody(value)) return true;
        if (IsTemplate(value)) return true;
        foreach (var w in Words)
            if (value.Contains(w, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>${VAR}, {{x}}, %s, %(x)s, &lt;token&gt;, $VAR, [PASSWORD], process.env / os.environ references.</summary>
    public static bool IsTemplate(ReadOnlySpan<char> v)
    {
        if (v.Length == 0) return true;
        char c0 = v[0];
        if (c0 is '$' or '<' or '{' or '[' or '%' or '@' && v.Length > 1 && (char.IsLetter(v[1]) || v[1] is '{' or '(' or '_' or '<' or '%' or '[')
            && !IsBracedValue(v)) return true;
        if (HasExpression(v, "${", "}") || HasExpression(v, "{{", "}}") || v.Contains("$(", StringComparison.Ordinal)
            || v.Contains("%s", StringComparison.Ordinal) || v.Contains("%(", StringComparison.Ordinal) || v.Contains("%d", StringComparison.Ordinal)
            || v.Contains("<%", StringComparison.Ordinal)) return true;
        if (v.Contains("process.env", StringComparison.OrdinalIgnoreCase) || v.Contains("environ", StringComparison.OrdinalIgnoreCase)
            || v.Contains("getenv", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// A template expression "${NAME}" / "{{ .Values.x }}" (possibly cut at the value's end): what follows the opener up
    /// to its closer reads like a name or path. Random passwords also contain "${" or "{{" ("m{{h}o)p${e]nob(…"), but
    /// then the span holds password punctuation no expression language uses there.
    /// </summary>
    private static bool HasExpression(ReadOnlySpan<char> v, string open, string close)
    {
        int i = v.IndexOf(open, StringComparison.Ordinal);
        if (i < 0) return false;
        var rest = v[(i + open.Length)..];
        int end = rest.IndexOf(close, StringComparison.Ordinal);
        var body = end >= 0 ? rest[..end] : rest;
        return body.IndexOfAny(NotInExpressions) < 0;
    }

    private static readonly System.Buffers.SearchValues<char> NotInExpressions = System.Buffers.SearchValues.Create("!#%&*+;<>?@^~`\\$");

    /// <summary>
    /// "{ZqL5kVrX1n8t}": a value merely wrapped in braces or brackets. A template names its variable
    /// ("{password}", "&lt;API_TOKEN&gt;", "[user_pw1]"); a random body with both letter cases and three or more
    /// digits is not a name.
    /// </summary>
    private static bool IsBracedValue(ReadOnlySpan<char> v)
    {
        char close = v[0] switch { '{' => '}', '[' => ']', '<' => '>', _ => '\0' };
        if (close == '\0' || v.Length < 10 || v[^1] != close) return false;
        var inner = v[1..^1];
        int digits = 0;
        bool lower = false, upper = false;
        foreach (char c in inner)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (char.IsAsciiLetterLower(c)) lower = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (c is not ('-' or '_' or '.' or '+' or '/' or '=' or '!')) return false;
        }
        return digits >= 3 && lower && upper;
    }

    public static double DominantCharShare(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return 1;
        Span<int> counts = stackalloc int[128];
        counts.Clear();
        int max = 0, other = 0;
        foreach (char ch in s)
        {
            if (ch >= 128) { other++; continue; }
            int c = ++counts[char.ToLowerInvariant(ch)];
            if (c > max) max = c;
        }
        return (double)max / s.Length;
    }

    /// <summary>
    /// A run of a masking character (x, X, *, #, ?, •) of at least <paramref name="n"/>. Letters such as 'A' are not
    /// counted: base64 of zero bytes and some real formats (Dropbox, X bearer tokens) contain long 'A' runs.
    /// </summary>
    public static bool HasLongRun(ReadOnlySpan<char> s, int n)
    {
        int run = 0;
        char prev = '\0';
        foreach (char c in s)
        {
            if (c is 'x' or 'X' or '*' or '#' or '?' or '\u2022') { run = c == prev ? run + 1 : 1; if (run >= n) return true; }
            else run = 0;
            prev = c;
        }
        return false;
    }
}
