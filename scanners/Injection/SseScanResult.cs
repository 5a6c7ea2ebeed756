using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// One complete event (or an oversize / end-of-stream fragment): the exact raw bytes to forward when the verdict
/// allows it, the parsed event, and the verdict over its data (own findings, DLP findings, cross-event findings).
/// </summary>
public sealed record SseScanResult(byte[] Raw, SseEvent Event, Verdict Verdict);
