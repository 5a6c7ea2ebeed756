namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// Turns matched text into evidence that is safe to log: a short prefix (at most 4 characters, never
/// more than a quarter of the match) and the length. Secrets are never reproduced.
/// </summary>
public static class Redaction
{
    public static string Redact(ReadOnlySpan<char> match)
    {
        if (match.IsEmpty) return "[REDACTED]";
        int keep = Math.Min(4, match.Length / 4);
        Span<char> head = stackalloc char[keep];
        for (int i = 0; i < keep; i++)
        {
            char c = match[i];
            head[i] = c < 0x20 || c == 0x7f ? '?' : c;
        }
        return string.Concat(head, "…[REDACTED ", match.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), " chars]");
    }

    /// <summary>Non-secret text (e.g. an injection phrase) can be shown, cut to <paramref name="maxChars"/> runes.</summary>
    public static string Excerpt(ReadOnlySpan<char> text, int maxChars = 100)
    {
        if (text.Length <= maxChars) return Sanitize(text);
        return Sanitize(text[..maxChars]) + "…";
    }

    private static string Sanitize(ReadOnlySpan<char> text)
    {
        Span<char> buf = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            buf[i] = c is '\r' or '\n' or '\t' ? ' ' : (c < 0x20 || c == 0x7f ? '?' : c);
        }
        return new string(buf);
    }
}
