using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// <c>request_body_scanning</c>: body and header DLP on outbound requests. Enabled defaults to true when the key is
/// omitted (Pipelock's code; its docs say false). Empty header lists mean "the scanner's built-in list".
/// </summary>
public sealed record RequestBodyScanningConfig
{
    public bool Enabled { get; init; } = true;
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public long MaxBodyBytes { get; init; } = 5 * 1024 * 1024;
    public bool ScanHeaders { get; init; } = true;
    /// <summary>"sensitive" (only the sensitive headers) or "all" (every header except the ignored ones).</summary>
    public string HeaderMode { get; init; } = "sensitive";
    public ValueList<string> SensitiveHeaders { get; init; } = ValueList<string>.Empty;
    public ValueList<string> IgnoreHeaders { get; init; } = ValueList<string>.Empty;

    /// <summary>
    /// A body over <see cref="MaxBodyBytes"/>: <c>block</c> (default, 413, fail closed) or <c>stream</c> (raw-text DLP
    /// window by window as it is forwarded; a blocking finding aborts the upstream request and answers 403).
    /// </summary>
    public OversizeMode Oversize { get; init; } = OversizeMode.Block;
}
