using System.IO.Compression;

namespace Pipelock.Scanners.Body;

/// <summary>
/// The streaming form of <see cref="ContentDecoder"/>: the same codings (gzip, deflate as zlib or raw, br; stacked,
/// undone last-first) as a chain of decompression streams, so a body is decoded as it is read instead of into one
/// array. Reads throw <see cref="InvalidDataException"/> on a corrupt body, including a gzip body whose RFC 1952
/// trailer does not match its output (truncated or tampered), as <see cref="ContentDecoder"/> checks it. Output size
/// is the caller's to cap.
/// </summary>
public static class ContentDecodingStream
{
    /// <summary>True when <paramref name="contentEncoding"/> names a coding other than identity.</summary>
    public static bool HasCoding(string? contentEncoding) =>
        !string.IsNullOrWhiteSpace(contentEncoding)
        && contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(c => !c.Equals("identity", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A stream of the decoded body over <paramref name="input"/> (which it owns), or null with <paramref name="error"/>
    /// for an unsupported or over-stacked coding. No coding, or only identity: <paramref name="input"/> itself.
    /// </summary>
    public static Stream? Open(string? contentEncoding, Stream input, out string? error)
    {
        ArgumentNullException.ThrowIfNull(input);
        error = null;
        if (string.IsNullOrWhiteSpace(contentEncoding)) return input;
        var codings = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (codings.Length > ContentDecoder.MaxLayers) { error = "too many stacked content encodings"; return null; }
        var stream = input;
        for (int i = codings.Length - 1; i >= 0; i--)
        {
            var c = codings[i].ToLowerInvariant();
            if (c == "identity") continue;
            stream = c switch
            {
                "gzip" or "x-gzip" => new GzipChecked(stream),
                "br" => new BrotliStream(stream, CompressionMode.Decompress),
                "deflate" => new SniffedDeflate(stream),
                _ => null!,
            };
            if (stream is null)
            {
                error = $"unsupported content encoding \"{Verdicts.Redaction.Excerpt(c, 32)}\"";
                input.Dispose();
                return null;
            }
        }
        return stream;
    }

    /// <summary>Remembers the last 4 bytes read through it and the count (the gzip ISIZE trailer).</summary>
    private sealed class TailRecorder(Stream inner) : ReadOnlyStream
    {
        private readonly byte[] _tail = new byte[4];
        public long Count { get; private set; }
        public uint LastFour => (uint)(_tail[0] | _tail[1] << 8 | _tail[2] << 16 | _tail[3] << 24);

        public override int Read(Span<byte> buffer) => Record(buffer[..inner.Read(buffer)]);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Record(buffer.Span[..n]);
        }

        private int Record(ReadOnlySpan<byte> read)
        {
            Count += read.Length;
            if (read.Length >= 4) read[^4..].CopyTo(_tail);
            else if (read.Length > 0)
            {
                // Shift the older bytes left, append the new ones.
                _tail.AsSpan(read.Length).CopyTo(_tail);
                read.CopyTo(_tail.AsSpan(4 - read.Length));
            }
            return read.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>GZip whose end is checked against the trailer's ISIZE: the inflater alone stops quietly at a truncated stream.</summary>
    private sealed class GzipChecked : ReadOnlyStream
    {
        private readonly TailRecorder _input;
        private readonly GZipStream _gzip;
        private long _output;

        public GzipChecked(Stream input)
        {
            _input = new TailRecorder(input);
            _gzip = new GZipStream(_input, CompressionMode.Decompress);
        }

        public override int Read(Span<byte> buffer)
        {
            int n = _gzip.Read(buffer);
            if (n == 0 && buffer.Length > 0)
            {
                Span<byte> drain = stackalloc byte[256];
                while (_input.Read(drain) > 0) { }
                Check();
            }
            _output += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await _gzip.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0 && buffer.Length > 0)
            {
                var drain = new byte[256];
                while (await _input.ReadAsync(drain, cancellationToken).ConfigureAwait(false) > 0) { }
                Check();
            }
            _output += n;
            return n;
        }

        private void Check()
        {
            if (_input.Count < 18 || _input.LastFour != (uint)_output) throw new InvalidDataException("gzip trailer does not match the body");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _gzip.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>"deflate" is zlib by the RFC but raw deflate from some servers: the first two bytes tell.</summary>
    private sealed class SniffedDeflate(Stream input) : ReadOnlyStream
    {
        private Stream? _inner;

        public override int Read(Span<byte> buffer)
        {
            if (_inner is null)
            {
                var head = new byte[2];
                int n = 0, r;
                while (n < 2 && (r = input.Read(head, n, 2 - n)) > 0) n += r;
                _inner = Choose(head.AsSpan(0, n));
            }
            return _inner.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_inner is null)
            {
                var head = new byte[2];
                int n = 0, r;
                while (n < 2 && (r = await input.ReadAsync(head.AsMemory(n, 2 - n), cancellationToken).ConfigureAwait(false)) > 0) n += r;
                _inner = Choose(head.AsSpan(0, n));
            }
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        private Stream Choose(ReadOnlySpan<byte> head)
        {
            var replay = new PrefixedStream(head.ToArray(), input);
            bool zlib = head.Length >= 2 && (head[0] & 0x0F) == 8 && (head[0] << 8 | head[1]) % 31 == 0;
            return zlib ? new ZLibStream(replay, CompressionMode.Decompress) : new DeflateStream(replay, CompressionMode.Decompress);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) (_inner ?? input).Dispose();
            base.Dispose(disposing);
        }
    }
}
