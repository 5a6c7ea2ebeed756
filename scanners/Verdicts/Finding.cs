namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// One thing a scanner found. <see cref="Evidence"/> is always redacted (see <see cref="Redaction"/>):
/// a finding may be logged, printed or sent to a webhook, so it never carries the secret itself.
/// </summary>
/// <param name="Scanner">Scanner label, one of <see cref="ScannerNames"/> (a contract with metrics and alerting).</param>
/// <param name="Rule">Rule or pattern name, e.g. "AWS Access ID".</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Action">What the scanner's section says to do about it (before mode/enforce are applied).</param>
/// <param name="Evidence">Redacted evidence, safe to log.</param>
/// <param name="Position">Offset in the scanned text where the match starts, or -1 when not meaningful (decoded layers).</param>
/// <param name="Encoding">How the match was reached when not raw: "base64", "hex", "url", "split", "env", ...</param>
public sealed record Finding(
    string Scanner,
    string Rule,
    Severity Severity,
    ScanAction Action,
    string Evidence,
    int Position = -1,
    string? Encoding = null)
{
    /// <summary>True when the finding is informational only (warn-only patterns): it never blocks.</summary>
    public bool Informational { get; init; }

    /// <summary>Where in a structured carrier the match sits (JSON path, header name, query key), when known.</summary>
    public string? Location { get; init; }
}
