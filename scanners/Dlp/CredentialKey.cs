using System.Collections.Frozen;

namespace Pipelock.Scanners.Dlp;

/// <summary>What a key name says about its value.</summary>
internal enum KeyKind
{
    None,
    Password,
    Secret,
    KeyOnly,
    /// <summary>Password inside a URL userinfo, curl -u or an Authorization header: shorter values are allowed.</summary>
    Lenient,
}

/// <summary>
/// Classifies an identifier ("DB_PASSWORD", "apiKey", "--password", "x-api-key") by splitting it into words
/// (separators and camelCase) and looking for credential words, with hard negatives for names that hold
/// hashes, ids, lengths, paths, types and other non-secret metadata ("password_hash", "token_type", "key_id").
/// </summary>
internal static class CredentialKey
{
    private static readonly FrozenSet<string> PasswordWords = new[]
    {
        "pass", "password", "passwd", "pwd", "pw", "pswd", "psswd", "pswrd", "psword", "psswrd", "pssword", "paswd", "pword",
        "passphrase", "passwords", "paasword", "passworsd", "passw", "passwort", "contraseña", "senha", "motdepasse",
        "pasword", "paswrd", "passwrd", "pasword", "pswrd", "userpwd", "keypasswd",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SecretWords = new[]
    {
        "secret", "token", "apikey", "auth", "authorization", "authentication", "credential", "credentials", "creds", "cred",
        "bearer", "privatekey", "secretkey", "accesskey", "accesstoken", "signingkey", "clientsecret", "sessiontoken",
        "refreshtoken", "authtoken", "apitoken", "apisecret", "masterkey", "encryptionkey",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Words that turn a bare "key" into a credential key ("api key", "access key", "private key", ...).</summary>
    private static readonly FrozenSet<string> KeyQualifiers = new[]
    {
        "api", "access", "secret", "private", "auth", "encryption", "signing", "master", "license", "client", "app",
        "account", "storage", "sas", "hmac", "ssh", "gpg", "pgp", "aes", "jwt", "session", "subscription", "shared",
        "admin", "consumer", "decryption", "crypt", "cipher", "ibm", "cloud", "sl", "softlayer", "aws", "gcp", "azure",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> NegativeWords = new[]
    {
        "id", "ids", "uuid", "guid", "hash", "hashed", "sha", "sha1", "sha256", "sha512", "md5", "digest", "checksum",
        "integrity", "fingerprint", "public", "pub", "length", "len", "size", "type", "types", "name", "names", "path",
        "file", "filename", "dir", "url", "uri", "endpoint", "format", "expiry", "expires", "expiration", "expire", "ttl",
        "count", "max", "min", "limit", "prefix", "suffix", "header", "field", "policy", "mode", "timeout", "version",
        "hint", "label", "regex", "pattern", "validator", "rotation", "enabled", "enable", "required", "index", "example",
        "placeholder", "description", "desc", "title", "text", "message", "msg", "error", "help", "env", "ref", "kind",
        "algorithm", "alg", "usage", "cache", "reset", "forgot", "strength", "policy", "rules", "valid", "invalid",
        "location", "schema", "template", "prompt", "input", "label", "column", "col", "icon", "button", "dialog",
        "fieldset", "visible", "show", "hide", "toggle", "salt", "iterations", "rounds", "keyboard", "keyword", "keys",
        "tokens", "secrets", "tokenizer", "len", "bits", "method", "scheme", "provider", "store", "manager",
        // Request-tracking and paging values called "token" (correlation_token, continuationToken, cursor_token): ids.
        "correlation", "trace", "tracing", "idempotency", "continuation", "pagination", "cursor", "nonce",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] PassSuffixExceptions = ["bypass", "compass", "surpass", "trespass", "overpass", "underpass", "encompass", "impass"];

    public static KeyKind Classify(ReadOnlySpan<char> key)
    {
        Span<(int Start, int Len)> words = stackalloc (int, int)[16];
        int n = Split(key, words);
        if (n == 0) return KeyKind.None;
        Span<char> lower = stackalloc char[Math.Min(key.Length, 128)];
        int klen = key[..lower.Length].ToLowerInvariant(lower);
        lower = lower[..klen];

        bool password = false, secret = false, bareKey = false, qualifier = false;
        for (int i = 0; i < n; i++)
        {
            var (s, l) = words[i];
            if (s + l > lower.Length) break;
            var w = lower.Slice(s, l).ToString();
            if (NegativeWords.Contains(w)) return KeyKind.None;
            if (PasswordWords.Contains(w) || EndsWithPassword(w)) password = true;
            else if (SecretWords.Contains(w) || EndsWithSecret(w)) secret = true;
            else if (w == "key") bareKey = true;
            if (KeyQualifiers.Contains(w)) qualifier = true;
        }
        if (password) return KeyKind.Password;
        if (secret) return KeyKind.Secret;
        if (bareKey) return qualifier ? KeyKind.Secret : KeyKind.KeyOnly;
        return KeyKind.None;
    }

    private static bool EndsWithPassword(string w)
    {
        if (w.Length < 5) return false;
        if (w.EndsWith("password", StringComparison.Ordinal) || w.EndsWith("passwd", StringComparison.Ordinal)
            || w.EndsWith("pwd", StringComparison.Ordinal) || w.EndsWith("pswd", StringComparison.Ordinal)) return true;
        if (w.EndsWith("pass", StringComparison.Ordinal))
        {
            foreach (var e in PassSuffixExceptions) if (w.EndsWith(e, StringComparison.Ordinal)) return false;
            return true;
        }
        return false;
    }

    private static bool EndsWithSecret(string w) =>
        w.Length > 6 && (w.EndsWith("secret", StringComparison.Ordinal) || w.EndsWith("token", StringComparison.Ordinal)
            || w.EndsWith("apikey", StringComparison.Ordinal) || w.EndsWith("secretkey", StringComparison.Ordinal)
            || w.EndsWith("accesskey", StringComparison.Ordinal) || w.EndsWith("privatekey", StringComparison.Ordinal)
            || w.EndsWith("credential", StringComparison.Ordinal) || w.EndsWith("credentials", StringComparison.Ordinal));

    /// <summary>Splits on non-alphanumerics and lower→upper camelCase boundaries ("AwsSecretKey" → aws, secret, key).</summary>
    private static int Split(ReadOnlySpan<char> key, Span<(int, int)> words)
    {
        int n = 0, start = -1;
        for (int i = 0; i <= key.Length && n < words.Length; i++)
        {
            bool boundary = i == key.Length || !char.IsLetterOrDigit(key[i]);
            bool camel = !boundary && start >= 0 && i > 0 && char.IsUpper(key[i]) && char.IsLower(key[i - 1]);
            if ((boundary || camel) && start >= 0) { words[n++] = (start, i - start); start = -1; }
            if (!boundary && start < 0) start = i;
        }
        return n;
    }
}
