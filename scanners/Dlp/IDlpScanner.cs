using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>Text DLP (Pipelock's ScanTextForDLP): used for MCP arguments, bodies, headers, URL parts.</summary>
public interface IDlpScanner
{
    /// <param name="text">The text to scan.</param>
    /// <param name="destinationHost">Destination host, for per-pattern <c>exempt_domains</c>; null when unknown.</param>
    Verdict ScanText(string text, string? destinationHost = null);
}
