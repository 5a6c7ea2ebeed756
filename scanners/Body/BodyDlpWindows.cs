using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Request-body DLP over overlapping windows of a body streamed past <see cref="BodyOptions.MaxBodyBytes"/>: each
/// window goes through <see cref="RequestBodyScanner.ScanRawText"/>; positions become offsets in the whole body, and a
/// secret seen twice in an overlap counts once. Not thread-safe: one per body.
/// </summary>
public sealed class BodyDlpWindows : ITextWindowSink
{
    private readonly RequestBodyScanner _scanner;
    private readonly string? _host;
    private readonly List<Finding> _findings = [];
    private readonly HashSet<(string, string, long, string?, string)> _seen = [];

    public BodyDlpWindows(RequestBodyScanner scanner, string? destinationHost)
    {
        _scanner = scanner ?? throw new ArgumentNullException(nameof(scanner));
        _host = destinationHost;
    }

    public bool HasFindings => _findings.Count > 0;

    public Verdict Verdict => _findings.Count == 0 ? Verdict.Clean : new Verdict([.. _findings]);

    public void Add(ReadOnlySpan<char> window, long offset)
    {
        // A window is at most a few tens of K chars: the string stays off the Large Object Heap.
        var v = _scanner.ScanRawText(window.ToString(), _host);
        foreach (var f in v.Findings)
        {
            long position = f.Position < 0 ? -1 : f.Position + offset;
            // Evidence is part of the key only where there is no position to tell two findings apart.
            if (!_seen.Add((f.Scanner, f.Rule, position, f.Encoding, position < 0 ? f.Evidence : ""))) continue;
            _findings.Add(f with { Position = (int)Math.Min(position, int.MaxValue) });
        }
    }
}
