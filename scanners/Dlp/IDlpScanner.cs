using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>Text DLP (Pipelock's ScanTextForDLP): used for MCP arguments, bodies, headers, URL parts.</summary>
public interface IDlpScanner
{
    /// <summary>Full text DLP: normalisation, URL-decoding, dot-collapse, recursive decoding, segments, env/file secrets, canaries, seed phrases.</summary>
    /// <param name="text">The text to scan.</param>
    /// <param name="destinationHost">Destination host, for per-pattern <c>exempt_domains</c>; null when unknown.</param>
    Verdict ScanText(string text, string? destinationHost = null);

    /// <summary>
    /// Pattern match only, for callers that do their own target extraction and decoding (the URL scanner):
    /// ForDlp normalisation, prefilter, patterns with validators, env/file secrets (raw and encoded forms), canaries.
    /// No URL-decoding or recursive decoding. <paramref name="encoding"/> is copied into the findings ("base64", "hex", ...).
    /// </summary>
    Verdict MatchTarget(string text, string? destinationHost = null, string? encoding = null);
}
