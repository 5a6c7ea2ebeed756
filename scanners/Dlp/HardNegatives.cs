using System.Collections.Frozen;
using System.Text.Json;
using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Shape checks that separate real tokens from look-alikes, applied after a regex hit. Real keys are random:
/// they are not periodic ("123123123"), not alphabet/number sequences ("klmnopqrst", "12345678"), not camelCase
/// identifiers ("hf_requiredCharacteristicTypes"), and a prefixed token starts and ends at a token boundary
/// ("…Symptomhf_generated…", "AIza…" inside a longer blob are not tokens). Each check is cheap and general.
/// </summary>
internal static class HardNegatives
{
    /// <summary>True when <paramref name="s"/> repeats a unit of at most <paramref name="maxPeriod"/> chars (case-insensitive).</summary>
    public static bool IsPeriodic(ReadOnlySpan<char> s, int maxPeriod)
    {
        if (s.Length < 8) return false;
        for (int p = 1; p <= maxPeriod && p * 2 <= s.Length; p++)
        {
            bool ok = true;
            for (int i = p; i < s.Length && ok; i++)
                if (char.ToLowerInvariant(s[i]) != char.ToLowerInvariant(s[i - p])) ok = false;
            if (ok) return true;
        }
        return false;
    }

    /// <summary>An ascending run like "abcdefgh" or "12345678" of at least <paramref name="n"/> (digits optional).</summary>
    public static bool HasAscendingRun(ReadOnlySpan<char> s, int n, bool digits)
    {
        int run = 1;
        for (int i = 1; i < s.Length; i++)
        {
            char a = char.ToLowerInvariant(s[i - 1]), b = char.ToLowerInvariant(s[i]);
            bool seq = b == a + 1 && (char.IsAsciiLetterLower(a) && char.IsAsciiLetterLower(b) || digits && char.IsAsciiDigit(a) && char.IsAsciiDigit(b))
                || digits && a == '9' && b == '0';
            run = seq ? run + 1 : 1;
            if (run >= n) return true;
        }
        return false;
    }

    /// <summary>A run of at least <paramref name="n"/> identical characters other than 'A' (base64 of zero bytes has long A runs).</summary>
    public static bool HasSameCharRun(ReadOnlySpan<char> s, int n)
    {
        int run = 1;
        for (int i = 1; i < s.Length; i++)
        {
            run = s[i] == s[i - 1] && s[i] != 'A' ? run + 1 : 1;
            if (run >= n) return true;
        }
        return false;
    }

    /// <summary>Words and camelCase identifiers: letters only (plus separators), few capitals.</summary>
    public static bool IsIdentifierLike(ReadOnlySpan<char> s)
    {
        if (s.Length < 12) return false;
        int letters = 0, upper = 0;
        foreach (char c in s)
        {
            if (char.IsAsciiDigit(c)) return false;
            if (char.IsAsciiLetter(c)) { letters++; if (char.IsAsciiLetterUpper(c)) upper++; }
        }
        return letters > 0 && upper * 4 <= letters;
    }

    /// <summary>
    /// Two separator-delimited segments of 4+ characters that are equal ("xoxp-1234-1234-1234-…"): an issued token's
    /// ids and random parts are distinct, a hand-typed sample repeats itself.
    /// </summary>
    public static bool HasRepeatedSegment(ReadOnlySpan<char> s)
    {
        Span<Range> parts = stackalloc Range[16];
        int n = s.SplitAny(parts, "-_.:");
        for (int i = 0; i < n; i++)
        {
            var a = s[parts[i]];
            if (a.Length < 4) continue;
            for (int j = i + 1; j < n; j++)
                if (a.Equals(s[parts[j]], StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// No lower-case letter among at least 16 letters, for a format whose alphabet is mixed-case: the value was
    /// upper-cased (a constant name, a mangled copy). Upper-casing a mixed-case key loses information, so the result
    /// is not a usable credential, and a random mixed-case body is never all upper-case by chance (2^-16).
    /// </summary>
    public static bool IsUpperCased(ReadOnlySpan<char> s)
    {
        int letters = 0;
        foreach (char c in s)
        {
            if (char.IsAsciiLetterLower(c)) return false;
            if (char.IsAsciiLetterUpper(c)) letters++;
        }
        return letters >= 16;
    }

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> DictionaryWords =
        SeedPhraseDetector.Words.Where(w => w.Length >= 4).ToFrozenSet(StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Three or more English words of 4+ letters as camelCase/separated segments ("ComputeServicesBuildTime"): an
    /// identifier or a sentence, not a random token (a random 36-char body has two such words with p ≈ 3e-6). The word
    /// list is the BIP-39 one (2048 common words), already loaded for seed phrases.
    /// </summary>
    public static bool IsWordComposed(ReadOnlySpan<char> s)
    {
        int words = 0, i = 0;
        while (i < s.Length)
        {
            if (!char.IsAsciiLetter(s[i])) { i++; continue; }
            int start = i++;
            while (i < s.Length && char.IsAsciiLetterLower(s[i])) i++;
            var w = s[start..i];
            if (w.Length >= 4 && (DictionaryWords.Contains(w) || w[^1] is 's' && DictionaryWords.Contains(w[..^1])) && ++words >= 3)
                return true;
        }
        return false;
    }

    /// <summary>Punctuation that random passwords use and names, paths and sentences do not ("{{h}o)p${e]nob(ody…").</summary>
    public static bool HasPasswordPunctuation(ReadOnlySpan<char> s) => s.IndexOfAny(PasswordPunctuation) >= 0;

    private static readonly System.Buffers.SearchValues<char> PasswordPunctuation = System.Buffers.SearchValues.Create("{}()[]<>!#%&*+;?@^~`|\\");

    public static bool IsUuid(ReadOnlySpan<char> s) =>
        s.Length == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' && Guid.TryParse(s, out _);

    /// <summary>A JWT header must be base64url JSON; random "ey….ey….x" strings are not tokens.</summary>
    public static bool JwtHeaderIsJson(ReadOnlySpan<char> match)
    {
        int dot = match.IndexOf('.');
        if (dot <= 0) return false;
        var seg = match[..dot].TrimEnd('=');
        if (!GoBase64.TryDecode(seg, GoBase64.Variant.RawUrl, out var bytes) || bytes.Length < 2 || bytes[0] != (byte)'{') return false;
        try { using var _ = JsonDocument.Parse(bytes); return true; }
        catch (JsonException) { return false; }
    }

    /// <summary>A PEM header immediately followed by its END line (or almost nothing) is a placeholder, not a key.</summary>
    public static bool IsEmptyPemBlock(string text, int start, int end)
    {
        var m = text.AsSpan(start, end - start);
        if (m.StartsWith("-----END", StringComparison.OrdinalIgnoreCase))
        {
            var before = text.AsSpan(Math.Max(0, start - 48), Math.Min(48, start));
            return before.Contains("-----BEGIN", StringComparison.OrdinalIgnoreCase);
        }
        var after = text.AsSpan(end, Math.Min(text.Length, end + 48) - end);
        return after.Contains("-----END", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Bech32 checksum (BIP-173) for age keys: "AGE-SECRET-KEY-1" + data.</summary>
    public static bool Bech32Ok(ReadOnlySpan<char> s)
    {
        const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        int sep = s.LastIndexOf('1');
        if (sep < 1 || sep + 7 > s.Length) return false;
        uint chk = 1;
        void Step(uint v)
        {
            uint b = chk >> 25;
            chk = (chk & 0x1ffffff) << 5 ^ v;
            uint[] g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
            for (int i = 0; i < 5; i++) if ((b >> i & 1) != 0) chk ^= g[i];
        }
        var hrp = s[..sep];
        foreach (char c in hrp) Step((uint)char.ToLowerInvariant(c) >> 5);
        Step(0);
        foreach (char c in hrp) Step((uint)char.ToLowerInvariant(c) & 31);
        foreach (char c in s[(sep + 1)..])
        {
            int v = Charset.IndexOf(char.ToLowerInvariant(c));
            if (v < 0) return false;
            Step((uint)v);
        }
        return chk == 1;
    }
}
