using System.Text;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Finds base64 runs in tool text that decode to readable prose or a URL. An honest description has no reason
/// to carry base64-encoded sentences; an attacker uses them to get instructions past keyword filters.
/// Bounded: at most <see cref="MaxRuns"/> runs per text, each at most <see cref="MaxRunLength"/> chars.
/// </summary>
internal static class EncodedBlobs
{
    public const int MinRunLength = 24;
    public const int MaxRunLength = 8192;
    public const int MaxRuns = 32;

    /// <summary>Yields (offset, decoded text) for runs that decode to human-readable text.</summary>
    public static IEnumerable<(int Offset, string Decoded)> Find(string text)
    {
        int runs = 0;
        int i = 0;
        while (i < text.Length && runs < MaxRuns)
        {
            if (!IsB64(text[i])) { i++; continue; }
            int start = i;
            while (i < text.Length && IsB64(text[i])) i++;
            while (i < text.Length && text[i] == '=' && i - start < MaxRunLength) i++;
            int len = i - start;
            if (len < MinRunLength || len > MaxRunLength) continue;
            runs++;
            var decoded = Decode(text.AsSpan(start, len));
            if (decoded is not null && LooksLikeText(decoded)) yield return (start, decoded);
        }
    }

    private static bool IsB64(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '-' or '_';

    /// <summary>
    /// Lenient decode (std or URL alphabet, padding optional): this is a detector, not a wire decoder, so a blob an
    /// attacker left unpadded must still be read. The run is bounded by <see cref="MaxRunLength"/>.
    /// </summary>
    private static string? Decode(ReadOnlySpan<char> run)
    {
        var s = new string(run).TrimEnd('=').Replace('-', '+').Replace('_', '/');
        if (s.Length % 4 == 1) return null;
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        var bytes = new byte[s.Length / 4 * 3];
        if (!Convert.TryFromBase64String(s, bytes, out int written) || written < 16) return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Prose (three or more spaces, almost all printable) or a URL; binary and compact JSON/JWT payloads are not.</summary>
    private static bool LooksLikeText(string s)
    {
        int printable = 0, spaces = 0;
        foreach (var c in s)
        {
            if (c == ' ') spaces++;
            if (c >= 0x20 && c < 0x7f || c is '\n' or '\t' || c > 0xa0) printable++;
        }
        if (printable < s.Length * 0.95) return false;
        return spaces >= 3 || s.Contains("://", StringComparison.Ordinal);
    }
}
