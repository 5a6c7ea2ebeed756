using System.Collections.Concurrent;
using Pipelock.Agent.Cli;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Support;

/// <summary>
/// Test double for <see cref="ICarrierScanner"/>: by default flags texts containing "SECRET" as a DLP finding and
/// "IGNORE PREVIOUS" as an injection; records every call (thread-safe).
/// </summary>
public sealed class FakeCarrierScanner(Func<ScanKind, Carrier, string, Verdict>? impl = null) : ICarrierScanner
{
    public ConcurrentQueue<(ScanKind Kind, Carrier Where, string Text)> Calls { get; } = new();

    public Verdict Scan(ScanKind kind, Carrier where, string text)
    {
        Calls.Enqueue((kind, where, text));
        return (impl ?? Keywords)(kind, where, text);
    }

    public static Verdict Keywords(ScanKind kind, Carrier where, string text)
    {
        var findings = new List<Finding>();
        int i = text.IndexOf("SECRET", StringComparison.Ordinal);
        if (i >= 0) findings.Add(new Finding("dlp", "Fake Secret", Severity.Critical, ScanAction.Block, Redaction.Redact(text.AsSpan(i, 6)), i));
        int j = text.IndexOf("IGNORE PREVIOUS", StringComparison.Ordinal);
        if (j >= 0) findings.Add(new Finding("response_scan", "Fake Override", Severity.High, ScanAction.Warn, Redaction.Excerpt(text.AsSpan(j, 15)), j));
        return Verdict.Of(findings);
    }
}
