using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>Prompt-injection scanning of content coming back (responses, SSE events, MCP results, tool text).</summary>
public interface IInjectionScanner
{
    Verdict Scan(string text);

    /// <summary>
    /// Redacts every match as <c>[REDACTED: Pattern Name]</c>. Returns null when a finding came from a pass whose text
    /// cannot be rewritten (leetspeak, vowel fold, decoded payloads): callers then fail closed.
    /// </summary>
    string? Strip(string text);
}
