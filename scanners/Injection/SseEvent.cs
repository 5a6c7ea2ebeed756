namespace Pipelock.Scanners.Injection;

/// <summary>A parsed text/event-stream event: multi-line <c>data:</c> joined with '\n' (trailing newline removed).</summary>
public sealed record SseEvent(string? Id, string? EventType, string Data, int? Retry);
