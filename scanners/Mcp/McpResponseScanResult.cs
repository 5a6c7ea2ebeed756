using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>
/// Result of <see cref="McpResponseScanner.ScanAndStrip"/>. <see cref="Rewritten"/> is the message with the offending
/// strings redacted when the action is strip and every one could be rewritten; when some could not
/// (<see cref="StripFailed"/>), the verdict carries a blocking finding: the caller must not forward the original.
/// </summary>
public sealed record McpResponseScanResult(Verdict Verdict, byte[]? Rewritten, bool StripFailed);
