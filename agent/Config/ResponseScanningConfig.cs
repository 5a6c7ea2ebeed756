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
}
