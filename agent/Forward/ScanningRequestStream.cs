using Pipelock.Scanners.Body;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The request body YARP forwards when it is larger than <c>max_body_bytes</c> and <c>oversize: stream</c>: the bytes
/// already buffered, then the rest of the client's body, handed out only after DLP saw them in a window, holding back
/// the overlap tail (<see cref="Utf8TextWindows"/>) so a secret on a window seam is never partly sent. A blocking
/// finding makes the next read throw: YARP then abandons the upstream request mid-body (the origin never receives the
/// secret's bytes and the request never completes), and <see cref="Blocked"/> tells the handler to answer 403.
/// A content-encoded body blocks: .NET's decoders cannot say exactly where a compressed stream ends, and bytes an
/// attacker appends after it would reach the upstream unscanned (buffered bodies get an exact end check instead).
/// Memory is one window, whatever the body size.
/// </summary>
public sealed class ScanningRequestStream : ReadOnlyStream
{
    private readonly Stream _client;
    private readonly Utf8TextWindows _windows = new();
    private readonly BodyDlpWindows _dlp;
    private readonly bool _enforce;
    private ReadOnlyMemory<byte> _prefix;
    private int _handedOut;
    private bool _clientDone, _scannedFinal;

    /// <param name="prefix">Bytes already read from <paramref name="client"/> (the caller keeps owning their buffer until the forward is over).</param>
    /// <param name="contentEncoding">The body's Content-Encoding; null or identity: scanned as it is.</param>
    public ScanningRequestStream(Stream client, ReadOnlyMemory<byte> prefix, RequestBodyScanner scanner, string? host, bool enforce, string? contentEncoding = null)
    {
        _client = client;
        _prefix = prefix;
        _dlp = new BodyDlpWindows(scanner, host);
        _enforce = enforce;
        if (ContentDecodingStream.HasCoding(contentEncoding))
            Fail("content-encoded request body over max_body_bytes: cannot be streamed (its end cannot be proven)");
    }

    /// <summary>The blocking decision that stopped the body; null while it flows.</summary>
    public Decision? Blocked { get; private set; }

    /// <summary>Findings so far (warn-only ones included).</summary>
    public Verdict Verdict => _dlp.Verdict;

    /// <summary>The decision on the findings so far.</summary>
    public Decision Decision => Blocked ?? DecisionPolicy.Decide(_dlp.Verdict, _enforce);

    /// <summary>Scans the first window before anything goes upstream: a secret there is answered 403 with no upstream contact.</summary>
    public async ValueTask<bool> PrimeAsync(CancellationToken ct)
    {
        if (Blocked is not null) return false;
        if (_windows.Final == 0 && !_scannedFinal)
        {
            await ScanNextAsync(ct).ConfigureAwait(false);
        }
        return Blocked is null;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (Blocked is not null) throw new IOException("request body blocked by DLP");
            int available = _windows.Final - _handedOut;
            if (available > 0)
            {
                int n = Math.Min(available, buffer.Length);
                _windows.Buffered.Slice(_handedOut, n).CopyTo(buffer);
                _handedOut += n;
                if (_handedOut == _windows.Final)
                {
                    _windows.Release();
                    _handedOut = 0;
                }
                return n;
            }
            if (_scannedFinal) return 0;
            await ScanNextAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fills the window from the prefix, then the client, and scans it; at the end of the body, finally.</summary>
    private async ValueTask ScanNextAsync(CancellationToken ct)
    {
        while (!_windows.IsFull && !_clientDone)
        {
            if (!_prefix.IsEmpty)
            {
                _prefix = _prefix[_windows.Write(_prefix.Span)..];
                continue;
            }
            int n = await _client.ReadAsync(_windows.Free, ct).ConfigureAwait(false);
            if (n == 0) _clientDone = true;
            else _windows.Advance(n);
        }
        _scannedFinal = _clientDone;
        _windows.Scan(_dlp, _scannedFinal);
        if (_dlp.HasFindings && DecisionPolicy.Decide(_dlp.Verdict, _enforce) is { Blocked: true } d) Blocked = d;
    }

    /// <summary>A body that cannot be decoded is a body that cannot be scanned: fail closed (always blocks).</summary>
    private void Fail(string reason) =>
        Blocked = DecisionPolicy.Decide(Verdict.Of(new Finding(ScannerNames.BodyParse, reason, Severity.High, ScanAction.Block, Redaction.Excerpt(reason))), _enforce);

    /// <summary>Synchronous callers (YARP reads asynchronously) get the same path, through a pooled buffer.</summary>
    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _windows.Dispose();
        }
        base.Dispose(disposing);
    }
}
