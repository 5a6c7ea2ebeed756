using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>response_scanning</c>: prompt-injection scanning of inbound content. Action block|strip|warn|ask.</summary>
public sealed record ResponseScanningConfig
{
    public bool Enabled { get; init; } = true;
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public int AskTimeoutSeconds { get; init; } = 30;
    public bool IncludeDefaults { get; init; } = true;
    public ValueList<ResponsePatternConfig> Patterns { get; init; } = ValueList<ResponsePatternConfig>.Empty;
    public ValueList<string> ExemptDomains { get; init; } = ValueList<string>.Empty;
    public SseStreamingConfig SseStreaming { get; init; } = new();

    /// <summary>
    /// A textual response over <c>tls_interception.max_response_bytes</c>: <c>block</c> (default, fail closed) or
    /// <c>stream</c> (scanned window by window as it flows; a blocking finding aborts the client connection).
    /// </summary>
    public OversizeMode Oversize { get; init; } = OversizeMode.Block;
}
