using System.Text;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>
/// The <c>sse_stream</c> carrier: a raw text/event-stream body pushed through the same <see cref="SseEventScanner"/>
/// the proxy uses (per event, plus the cross-event window), with DLP on event data when asked for.
/// </summary>
internal static class SseCarrier
{
    public static Verdict Scan(ScanEngine engine, bool withDlp, string body)
    {
        var scanner = new SseEventScanner(engine.Injection, withDlp ? text => engine.Dlp.ScanText(text) : null);
        var verdicts = new List<Verdict>();
        foreach (var r in scanner.Push(Encoding.UTF8.GetBytes(body))) verdicts.Add(r.Verdict);
        foreach (var r in scanner.Complete()) verdicts.Add(r.Verdict);
        return Verdict.Combine([.. verdicts]);
    }
}
