using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Narrow, immutable options for <see cref="RequestBodyScanner"/> (Pipelock's <c>request_body_scanning</c>; defaults
/// as in its code: enabled, action warn, 5 MiB, headers scanned in sensitive mode).
/// </summary>
public sealed record BodyOptions
{
    public static readonly BodyOptions Default = new();

    public bool Enabled { get; init; } = true;

    /// <summary>Action for DLP hits in bodies/headers: warn or block. Fail-closed conditions always block.</summary>
    public ScanAction Action { get; init; } = ScanAction.Warn;

    /// <summary>Larger bodies (before or after content decoding) fail closed: they cannot be scanned in bounded memory.</summary>
    public long MaxBodyBytes { get; init; } = 5 * 1024 * 1024;

    public bool ScanHeaders { get; init; } = true;

    public HeaderScanMode HeaderMode { get; init; } = HeaderScanMode.Sensitive;

    public IReadOnlyList<string> SensitiveHeaders { get; init; } =
        ["Authorization", "Cookie", "X-Api-Key", "X-Token", "Proxy-Authorization", "X-Goog-Api-Key"];

    /// <summary>Hop-by-hop and framing/negotiation headers: never carry agent data worth scanning.</summary>
    public IReadOnlyList<string> IgnoreHeaders { get; init; } =
    [
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Content-Length", "Content-Type", "Accept", "Accept-Encoding", "User-Agent",
    ];

    /// <summary>JSON nesting cap (as Pipelock's jsonrpc); deeper documents fail closed.</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>JSON tokens extracted one by one; beyond this the raw body is scanned as one text instead.</summary>
    public int MaxJsonNodes { get; init; } = 100_000;

    public int MaxMultipartParts { get; init; } = 100;

    /// <summary>Headers examined per request (bounds work on header floods).</summary>
    public int MaxHeaders { get; init; } = 256;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Action is not (ScanAction.Warn or ScanAction.Block)) errors.Add("request_body_scanning.action must be warn or block");
        if (MaxBodyBytes <= 0) errors.Add("request_body_scanning.max_body_bytes must be > 0");
        if (MaxJsonDepth is < 1 or > 1000) errors.Add("max JSON depth must be 1..1000");
        if (MaxJsonNodes < 1 || MaxMultipartParts < 1 || MaxHeaders < 1) errors.Add("caps must be >= 1");
        return errors;
    }
}
