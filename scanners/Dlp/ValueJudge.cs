using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Decides whether a value found next to a credential key looks like a real credential. Hard negatives:
/// placeholders and templates, variable references and function calls, dotted identifiers, file names, URLs,
/// plain words (no digit or symbol), pure numbers, whitespace, and low-entropy strings.
/// </summary>
internal static class ValueJudge
{
    private static readonly string[] FileSuffixes = [".json", ".pem", ".key", ".txt", ".yaml", ".yml", ".crt", ".p12", ".pfx", ".jks", ".env", ".cfg", ".conf", ".ini", ".xml", ".properties", ".toml"];
    private static readonly string[] Words = ["null", "none", "true", "false", "undefined", "nil", "empty", "string", "required", "optional", "hidden", "masked", "secret", "password", "passw", "token", "test1234", "12345678", "abcdefgh", "qwerty"];

    public static bool IsCredential(ReadOnlySpan<char> v, KeyKind kind, bool quoted)
    {
        v = v.Trim();
        int min = kind switch { KeyKind.Password => 7, KeyKind.KeyOnly => 16, KeyKind.Lenient => 6, _ => 10 };
        if (v.Length < min || v.Length > 200) return false;
        if (v.ContainsAny(' ', '\t')) return false;
        if (Placeholders.IsPlaceholderValue(v)) return false;
        foreach (var w in Words)
            if (v.Contains(w, StringComparison.OrdinalIgnoreCase)) return false;
        if (!quoted && (v.Contains('(') || v.Contains('['))) return false;      // function call / indexer
        if (v.Contains("://", StringComparison.Ordinal) || v[0] is '/' or '.' or '~' && kind != KeyKind.Password) return false;
        foreach (var sfx in FileSuffixes)
            if (v.EndsWith(sfx, StringComparison.OrdinalIgnoreCase)) return false;
        if (IsDottedIdentifier(v) || HardNegatives.IsUuid(v) && kind != KeyKind.Lenient) return false;   // ids are UUIDs far more often than secrets
        if (HardNegatives.IsIdentifierLike(v) || HardNegatives.IsPeriodic(v, 4) || HardNegatives.HasSameCharRun(v, 6)) return false;

        bool lower = false, upper = false, digit = false, symbol = false;
        foreach (char c in v)
        {
            if (char.IsAsciiLetterLower(c)) lower = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiDigit(c)) digit = true;
            else if (c is not ('_' or '-' or '.')) symbol = true;
        }
        // Words, identifiers and ENV_NAMES have no digit or symbol; a long mixed-case letter string that is not
        // camelCase (IsIdentifierLike ruled that out) is random enough to be a password.
        if (!digit && !symbol && !(lower && upper && (kind == KeyKind.Lenient || v.Length >= 12))) return false;
        if (!lower && !upper && !symbol) return false;           // pure numbers (ports, ids, pins)
        double h = ShannonEntropy.BitsPerChar(v);
        return kind switch
        {
            KeyKind.Password => h >= 2.3,
            KeyKind.Lenient => h >= 2.0,
            KeyKind.KeyOnly => h >= 3.5 && (lower || upper) && digit,
            _ => h >= (v.Length < 20 ? 2.8 : 3.0),
        };
    }

    /// <summary>config.password, self.db_pass, os.environ: member access, not a literal.</summary>
    private static bool IsDottedIdentifier(ReadOnlySpan<char> v)
    {
        int dot = v.IndexOf('.');
        if (dot <= 0) return false;
        foreach (var part in v.ToString().Split('.'))
        {
            if (part.Length == 0 || !(char.IsAsciiLetter(part[0]) || part[0] == '_')) return false;
            foreach (char c in part) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
            int digits = 0;
            foreach (char c in part) if (char.IsAsciiDigit(c)) digits++;
            if (digits > 2) return false;
        }
        return true;
    }
}
