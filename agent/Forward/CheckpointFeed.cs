using System.Buffers;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The raw (compressed) side of a response streamed with <c>oversize: stream</c>: the decompression stream reads the
/// upstream body through this feed, which keeps every raw byte until it may be released to the client. A .NET
/// decompressor (Deflate, GZip, ZLib, Brotli) asks for more input only once it can produce no more output from what it
/// has, so at each read the feed records a checkpoint (raw bytes so far, decoded bytes delivered so far): that raw
/// prefix decodes to exactly that much text and no more. Raw bytes up to the last checkpoint whose text is already
/// final (scanned, outside the held-back tail) can go to the client without revealing a byte of unscanned text.
/// Holds the raw bytes between the last release and the decoder's read position: bounded by
/// <see cref="MaxPendingBytes"/>, past which the body fails closed.
/// </summary>
public sealed class CheckpointFeed : Stream
{
    /// <summary>Raw bytes held unreleased at most (decoder input that yields no text, e.g. padding, is not held forever).</summary>
    public const int MaxPendingBytes = 1 << 20;

    private readonly Stream _upstream;
    private readonly Queue<(long Raw, long Decoded)> _checkpoints = new();
    private ReadOnlyMemory<byte> _prefix;
    private byte[] _pending = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _pendingLength;
    private long _read, _released, _releasable;

    /// <param name="prefix">Raw bytes already read from <paramref name="upstream"/>, replayed first.</param>
    public CheckpointFeed(Stream upstream, ReadOnlyMemory<byte> prefix)
    {
        _upstream = upstream;
        _prefix = prefix;
    }

    /// <summary>Decoded bytes the consumer has taken from the decompression stream; the consumer keeps it current.</summary>
    public long Delivered { get; set; }

    /// <summary>Raw bytes held, not yet released.</summary>
    public int PendingLength => _pendingLength;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        _checkpoints.Enqueue((_read, Delivered));
        int n;
        if (!_prefix.IsEmpty)
        {
            n = Math.Min(buffer.Length, _prefix.Length);
            _prefix[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
        }
        else
        {
            n = await _upstream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        if (n > 0) Keep(buffer.Span[..n]);
        return n;
    }

    /// <summary>The decoded stream ended: every raw byte read so far decodes to everything delivered.</summary>
    public void MarkEnd() => _checkpoints.Enqueue((_read, Delivered));

    /// <summary>
    /// Raw bytes (from the start of the held ones) that decode only into text up to <paramref name="finalDecoded"/>
    /// (cumulative decoded bytes that are final); send them, then <see cref="Release"/> them.
    /// </summary>
    public ReadOnlyMemory<byte> Releasable(long finalDecoded)
    {
        while (_checkpoints.TryPeek(out var c) && c.Decoded <= finalDecoded)
        {
            _releasable = Math.Max(_releasable, c.Raw);
            _checkpoints.Dequeue();
        }
        return _pending.AsMemory(0, (int)(_releasable - _released));
    }

    /// <summary>Everything held (the body is over and scanned).</summary>
    public ReadOnlyMemory<byte> All => _pending.AsMemory(0, _pendingLength);

    public void Release(int count)
    {
        _pending.AsSpan(count, _pendingLength - count).CopyTo(_pending);
        _pendingLength -= count;
        _released += count;
        _releasable = Math.Max(_releasable, _released);
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            if (_pendingLength + data.Length > MaxPendingBytes) throw new InvalidDataException("compressed body holds too much input that yields no text");
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxPendingBytes, Math.Max(_pending.Length * 2, _pendingLength + data.Length)));
            _pending.AsSpan(0, _pendingLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = bigger;
        }
        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
        _read += data.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The upstream body belongs to the caller.
        if (disposing && _pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = [];
        }
        base.Dispose(disposing);
    }
}
