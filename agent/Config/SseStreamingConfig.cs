using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>response_scanning.sse_streaming</c>: per-event scanning of text/event-stream bodies.</summary>
public sealed record SseStreamingConfig
{
    public bool Enabled { get; init; } = true;
    public ScanAction Action { get; init; } = ScanAction.Block;
    public int MaxEventBytes { get; init; } = 65536;
}
