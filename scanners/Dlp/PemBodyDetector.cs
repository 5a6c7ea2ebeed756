using Pipelock.Scanners.Encoding;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Private-key material without its PEM header: a standalone base64 token of exactly 64 characters (the PEM
/// line width) that is random-looking (mixed case and digits, high entropy) and decodes to binary, not text.
/// Key bodies leak line by line (logs, diffs, string concatenation in code) where the header is elsewhere.
/// Hard negatives: text that is about public material (CERTIFICATE, PUBLIC KEY), SRI/npm integrity and go.sum
/// hashes (<c>sha512-</c>, <c>h1:</c> prefixes), and tokens that are part of a longer run.
/// </summary>
internal static class PemBodyDetector
{
    public const string Rule = "Private Key Material";
    private const int Width = 64;
    private const int MaxWidth = 128;
    private const int MaxCandidates = 64;

    public static void Scan(string text, List<Finding> sink, string? encoding)
    {
        var s = text.AsSpan();
        if (s.Contains("CERTIFICATE", StringComparison.OrdinalIgnoreCase) || s.Contains("PUBLIC KEY", StringComparison.OrdinalIgnoreCase)) return;
        int i = 0, candidates = 0;
        while (i < s.Length && candidates < MaxCandidates)
        {
            if (!IsB64(s[i])) { i++; continue; }
            int start = i;
            while (i < s.Length && IsB64(s[i])) i++;
            // Lines glued with escaped breaks ("…\\n" + "MIIE…" → "\nMIIE…"): the escape letter is not key material.
            if (start > 0 && s[start - 1] == '\\' && s[start] is 'n' or 'r' or 't') start++;
            int len = i - start;
            // PEM/OpenSSH lines are 64 wide, some tools wrap at 60, 70 or 76, and key bodies pasted into code are cut
            // anywhere up to a couple of PEM lines; off-width lines need a '+' or '/' (standard base64) so URL-safe
            // ids and hex of other lengths stay out.
            if (len != Width && !(len is >= 60 and <= MaxWidth && s.Slice(start, len).IndexOfAny('+', '/') >= 0)) continue;
            if (start > 0 && IsTokenNeighbour(s[start - 1])) continue;
            if (i < s.Length && IsTokenNeighbour(s[i])) continue;
            candidates++;
            var tok = s.Slice(start, len);
            if (HasHashPrefix(s, start) || IsPublicOrMediaBlob(s, start) || !LooksRandom(tok)) continue;
            sink.Add(new Finding(ScannerNames.Dlp, Rule, Severity.Critical, ScanAction.Block, Redaction.Redact(tok), encoding is null ? start : -1, encoding));
            return;
        }
    }

    private static bool IsB64(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    // '=' after a 64-char run means padding of a longer token; '_' '-' '.' mean a URL-safe or dotted token.
    private static bool IsTokenNeighbour(char c) => c is '=' or '_' or '-' or '.' or '%' or '~';

    private static bool HasHashPrefix(ReadOnlySpan<char> s, int start)
    {
        var before = s[Math.Max(0, start - 12)..start];
        return before.Contains("sha", StringComparison.OrdinalIgnoreCase) || before.EndsWith("h1:", StringComparison.Ordinal)
            || before.Contains("integrity", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Base64 of a known non-key format: SSH public keys ("ssh-ed25519 AAAAC3Nz…"; the wire format starts with a
    /// 4-byte length, base64 "AAAA") that authorized_keys lines carry in the clear, and compressed or media payloads
    /// (gzip, zip, zstd, xz, bzip2, PNG, JPEG, GIF, PDF) whose bytes look as random as key material.
    /// </summary>
    private static bool IsPublicOrMediaBlob(ReadOnlySpan<char> s, int start)
    {
        var tok = s[start..];
        foreach (var magic in Magics)
            if (tok.StartsWith(magic, StringComparison.Ordinal)) return true;
        var before = s[Math.Max(0, start - 24)..start];
        return before.Contains("ssh-", StringComparison.Ordinal) || before.Contains("ecdsa-", StringComparison.Ordinal);
    }

    private static readonly string[] Magics = ["AAAA", "H4sI", "UEsDB", "KLUv/", "/Td6WFo", "QlpoO", "iVBORw0KGgo", "/9j/", "R0lGOD", "JVBERi0"];

    private static bool LooksRandom(ReadOnlySpan<char> tok)
    {
        // Random bytes in base64: ~40% upper, ~40% lower, ~15% digits. Lowercase-hex-like or word-like tokens are not.
        int lower = 0, upper = 0, digit = 0;
        foreach (char c in tok)
        {
            if (char.IsAsciiLetterLower(c)) lower++;
            else if (char.IsAsciiLetterUpper(c)) upper++;
            else if (char.IsAsciiDigit(c)) digit++;
        }
        if (lower < tok.Length / 6 || upper < tok.Length / 6) return false;
        if (ShannonEntropy.BitsPerChar(tok) < 4.3) return false;
        // A line cut out of a key body need not end on a 4-character quantum: judge the whole quanta.
        if (!GoBase64.TryDecode(tok[..(tok.Length & ~3)], GoBase64.Variant.RawStd, out var bytes)) return false;
        int printable = 0;
        foreach (byte b in bytes) if (b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\r' or (byte)'\t') printable++;
        return printable < bytes.Length * 0.75;                 // base64 of text (JSON, words) is not key material
    }
}
