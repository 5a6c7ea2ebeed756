using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Request-body DLP over overlapping windows of a body streamed past <see cref="BodyOptions.MaxBodyBytes"/>: each
/// window goes through <see cref="RequestBodyScanner.ScanRawText"/>; positions become (approximate) offsets in the whole
/// body, and a secret seen again in the next window's overlap counts once. Not thread-safe: one per body.
/// </summary>
public sealed class BodyDlpWindows : ITextWindowSink
{
    private readonly RequestBodyScanner _scanner;
    private readonly string? _host;
    private readonly List<Finding> _findings = [];
    private HashSet<(string, string, string, string?)> _previous = [], _current = [];

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
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        foreach (var f in v.Findings)
        {
            // Only consecutive windows share text (the overlap), and DLP positions count normalised chars, so a
            // secret seen again is recognised by what it is, against the previous window only.
            var key = (f.Scanner, f.Rule, f.Evidence, f.Encoding);
            _current.Add(key);
            if (_previous.Contains(key)) continue;
            _findings.Add(f with { Position = f.Position < 0 ? -1 : (int)Math.Min(f.Position + offset, int.MaxValue) });
        }
    }
}
