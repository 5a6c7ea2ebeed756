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
    private static readonly string[] Words = ["null", "none", "true", "false", "undefined", "nil", "empty", "string", "required", "optional", "hidden", "masked", "test1234", "12345678", "abcdefgh", "qwerty"];

    /// <summary>Credential words: "secret123", "mypassword", "api-token" name the thing instead of being it.</summary>
    private static readonly string[] KindWords = ["secret", "password", "passw", "token"];

    public static bool IsCredential(ReadOnlySpan<char> v, KeyKind kind, bool quoted)
    {
        v = v.Trim();
        int min = kind switch { KeyKind.Password => 7, KeyKind.KeyOnly => 16, KeyKind.Lenient => 6, _ => 10 };
        // Tokens (bearer values, JWTs, signed blobs) run to hundreds of characters; a password or a bare "key" that
        // long is more likely a public key or data blob.
        int max = kind is KeyKind.Secret or KeyKind.Lenient ? 4096 : 200;
        if (v.Length < min || v.Length > max) return false;
        if (v.ContainsAny(' ', '\t')) return false;
        if (Placeholders.IsPlaceholderValue(v)) return false;
        foreach (var w in Words)
            if (v.Contains(w, StringComparison.OrdinalIgnoreCase)) return false;
        if (NamesItself(v)) return false;
        if (!quoted && IsCallOrIndexer(v)) return false;
        if (v.Contains("://", StringComparison.Ordinal) || v[0] is '/' or '.' or '~' && kind != KeyKind.Password) return false;
        foreach (var sfx in FileSuffixes)
            if (v.EndsWith(sfx, StringComparison.OrdinalIgnoreCase)) return false;
        if (IsDottedIdentifier(v)) return false;
        // Ids are UUIDs far more often than secrets. Under a secret/token/api-key name a random (version 4) UUID is a
        // key format many APIs issue; time-based and hand-made ones ("…-dead-beef-…") are not secret material.
        if (HardNegatives.IsUuid(v) && !(kind == KeyKind.Lenient || kind == KeyKind.Secret && IsRandomUuid(v))) return false;
        if (HardNegatives.IsIdentifierLike(v) && !HardNegatives.HasPasswordPunctuation(v) || HardNegatives.IsPeriodic(v, 4) || HardNegatives.HasSameCharRun(v, 6)) return false;
        // Issued tokens and keys are random: a value of dictionary words or with a repeated segment is an identifier or
        // a typed sample. Passwords are exempt: passphrases are made of words.
        if (kind is KeyKind.Secret or KeyKind.KeyOnly && (HardNegatives.IsWordComposed(v) || HardNegatives.HasRepeatedSegment(v))) return false;

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

    /// <summary>
    /// True when the value contains a credential word and what is left without it is weak: "secret123",
    /// "my_secret_token", "Password1!" are samples, while a human password built around a word
    /// ("SuperSecretDBPass!2026") keeps 8+ characters from three character classes besides the word.
    /// </summary>
    private static bool NamesItself(ReadOnlySpan<char> v)
    {
        bool found = false;
        foreach (var w in KindWords) if (v.Contains(w, StringComparison.OrdinalIgnoreCase)) { found = true; break; }
        if (!found) return false;
        int rest = 0;
        bool lower = false, upper = false, digit = false, symbol = false;
        for (int i = 0; i < v.Length;)
        {
            int skip = 0;
            foreach (var w in KindWords)
                if (v[i..].StartsWith(w, StringComparison.OrdinalIgnoreCase)) { skip = w.Length; break; }
            if (skip > 0) { i += skip; continue; }
            char c = v[i++];
            rest++;
            if (char.IsAsciiLetterLower(c)) lower = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiDigit(c)) digit = true;
            else if (c is not ('_' or '-' or '.')) symbol = true;
        }
        int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
        return rest < 8 || classes < 3;
    }

    /// <summary>"getpass()", "os.environ['PW']", "cfg.get(\"db\")": a name or member path opening a call or an index.</summary>
    private static bool IsCallOrIndexer(ReadOnlySpan<char> v)
    {
        int i = 0;
        while (i < v.Length && (char.IsAsciiLetterOrDigit(v[i]) || v[i] is '_' or '.' or '$' or ':' or '-' or '>')) i++;
        return i > 0 && i < v.Length && v[i] is '(' or '[' && !char.IsAsciiDigit(v[0]);
    }

    /// <summary>RFC 4122 version 4 (random) with the standard variant: "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx".</summary>
    private static bool IsRandomUuid(ReadOnlySpan<char> v) => v[14] == '4' && v[19] is '8' or '9' or 'a' or 'b' or 'A' or 'B';

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
