using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>Options of <see cref="SseEventScanner"/> (Pipelock's <c>response_scanning.sse_streaming</c>).</summary>
public sealed record SseOptions
{
    /// <summary>An event whose raw bytes exceed this is reported (Pipelock: max_event_bytes 65536).</summary>
    public int MaxEventBytes { get; init; } = 65536;

    /// <summary>Action of the oversize finding (Pipelock's sse_streaming action, default block).</summary>
    public ScanAction OversizeAction { get; init; } = ScanAction.Block;

    /// <summary>Cross-event window: at most this many previous events' data …</summary>
    public int WindowEvents { get; init; } = 8;

    /// <summary>… and at most this many characters of it, prepended to the current event's data.</summary>
    public int WindowChars { get; init; } = 4096;

    public static SseOptions Default { get; } = new();
}
