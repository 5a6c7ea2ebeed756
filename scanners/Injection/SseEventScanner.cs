using System.Buffers;
using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Streaming scanner for <c>text/event-stream</c> bodies; one instance per stream (not thread-safe).
/// Usage: call <see cref="Push(ReadOnlySpan{byte})"/> with each chunk as it arrives; every returned
/// <see cref="SseScanResult"/> is a complete event whose <see cref="SseScanResult.Raw"/> bytes can be flushed
/// to the client at once when its verdict allows; call <see cref="Complete"/> at end of stream.
/// Each event's data is scanned alone (plus the optional DLP hook), and also as part of a sliding window with the
/// tail of previous events' data, so an instruction split over events ("Ignore all previous" | " instructions")
/// is caught; findings that only the window produces carry Encoding "cross_event". Pipelock has no cross-event
/// reassembly (documented gap).
/// </summary>
public sealed class SseEventScanner
{
    public const string CrossEvent = "cross_event";

    private readonly IInjectionScanner _scanner;
    private readonly Func<string, Verdict>? _dlp;
    private readonly SseOptions _options;
    private readonly SseEventParser _parser;
    private readonly Queue<string> _history = new();
    private readonly List<SseEventParser.Item> _items = [];

    public SseEventScanner(IInjectionScanner scanner, Func<string, Verdict>? dlp = null, SseOptions? options = null)
    {
        _scanner = scanner ?? throw new ArgumentNullException(nameof(scanner));
        _dlp = dlp;
        _options = options ?? SseOptions.Default;
        _parser = new SseEventParser(_options.MaxEventBytes);
    }

    public IReadOnlyList<SseScanResult> Push(ReadOnlySpan<byte> chunk)
    {
        _items.Clear();
        _parser.Push(chunk, _items);
        return Results();
    }

    public IReadOnlyList<SseScanResult> Push(ReadOnlySequence<byte> chunk)
    {
        _items.Clear();
        foreach (var segment in chunk) _parser.Push(segment.Span, _items);
        return Results();
    }

    /// <summary>End of stream: returns the unterminated tail, if any, scanned like an event.</summary>
    public IReadOnlyList<SseScanResult> Complete()
    {
        _items.Clear();
        _parser.Complete(_items);
        return Results();
    }

    private List<SseScanResult> Results()
    {
        if (_items.Count == 0) return [];
        var results = new List<SseScanResult>(_items.Count);
        foreach (var item in _items) results.Add(new SseScanResult(item.Raw, item.Event, ScanItem(item)));
        return results;
    }

    private Verdict ScanItem(SseEventParser.Item item)
    {
        var findings = ImmutableArray.CreateBuilder<Finding>();
        if (item.Oversize)
        {
            findings.Add(new Finding(ScannerNames.ResponseScan, "SSE Event Oversize", Severity.Medium, _options.OversizeAction,
                $"event exceeds {_options.MaxEventBytes} bytes"));
        }
        if (item.HasData)
        {
            string data = item.Event.Data;
            var own = Combine(data);
            findings.AddRange(own.Findings);

            if (TailPlus(data) is { } joined)
            {
                var window = Combine(joined);
                if (!window.IsClean)
                {
                    var before = Combine(Tail());
                    foreach (var f in window.Findings)
                    {
                        // Only what neither part produces alone is new: the seam made it.
                        if (own.Findings.Any(o => o.Rule == f.Rule) || before.Findings.Any(b => b.Rule == f.Rule)) continue;
                        findings.Add(f with { Encoding = CrossEvent, Position = -1 });
                    }
                }
            }
            Remember(data);
        }
        return findings.Count == 0 ? Verdict.Clean : new Verdict(findings.ToImmutable());
    }

    private Verdict Combine(string text)
    {
        var injection = _scanner.Scan(text);
        if (_dlp is null) return injection;
        var dlp = _dlp(text);
        if (dlp.IsClean) return injection;
        if (injection.IsClean) return dlp;
        return new Verdict(injection.Findings.AddRange(dlp.Findings));
    }

    private string Tail()
    {
        if (_history.Count == 0) return "";
        string joined = string.Concat(_history);
        return joined.Length <= _options.WindowChars ? joined : joined[^_options.WindowChars..];
    }

    /// <summary><see cref="Tail"/> + <paramref name="data"/> in one allocation (this runs for every event); null when the tail is empty.</summary>
    private string? TailPlus(string data)
    {
        int total = 0;
        foreach (var h in _history) total += h.Length;
        if (total == 0) return null;
        int skip = Math.Max(0, total - _options.WindowChars);
        return string.Create(total - skip + data.Length, (this, skip, data), static (dst, st) =>
        {
            int skip = st.skip, at = 0;
            foreach (var h in st.Item1._history)
            {
                var part = h.AsSpan();
                if (skip >= part.Length) { skip -= part.Length; continue; }
                part = part[skip..];
                skip = 0;
                part.CopyTo(dst[at..]);
                at += part.Length;
            }
            st.data.AsSpan().CopyTo(dst[at..]);
        });
    }

    private void Remember(string data)
    {
        // Streamed tokens are contiguous text, so events are joined without a separator.
        _history.Enqueue(data.Length <= _options.WindowChars ? data : data[^_options.WindowChars..]);
        while (_history.Count > _options.WindowEvents) _history.Dequeue();
    }
}
