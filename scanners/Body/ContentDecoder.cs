using System.IO.Compression;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Undoes <c>Content-Encoding</c> (gzip, deflate as zlib or raw, br; stacked like "gzip, br") with a hard output cap,
/// so a decompression bomb fails closed instead of exhausting memory. Unknown codings fail closed: an encoding we
/// cannot read is a body we cannot scan (Pipelock blocks every non-identity coding; we decode the standard ones).
/// </summary>
public static class ContentDecoder
{
    /// <summary>Layers of stacked encodings accepted.</summary>
    public const int MaxLayers = 4;

    public static bool TryDecode(string? contentEncoding, ReadOnlyMemory<byte> body, long maxOutputBytes, out ReadOnlyMemory<byte> decoded, out string? error)
    {
        decoded = body;
        error = null;
        if (string.IsNullOrWhiteSpace(contentEncoding)) return true;
        var codings = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (codings.Length > MaxLayers) { error = "too many stacked content encodings"; return false; }
        // Codings are listed in the order they were applied; undo them last-first.
        for (int i = codings.Length - 1; i >= 0; i--)
        {
            var c = codings[i].ToLowerInvariant();
            if (c == "identity") continue;
            if (c is not ("gzip" or "x-gzip" or "deflate" or "br")) { error = $"unsupported content encoding \"{Verdicts.Redaction.Excerpt(c, 32)}\""; return false; }
            try
            {
                using var input = new MemoryStream(decoded.ToArray(), writable: false);
                using Stream stream = c switch
                {
                    "gzip" or "x-gzip" => new GZipStream(input, CompressionMode.Decompress),
                    "br" => new BrotliStream(input, CompressionMode.Decompress),
                    _ => CompressedStreamEnd.LooksLikeZlib(decoded.Span) ? new ZLibStream(input, CompressionMode.Decompress) : new DeflateStream(input, CompressionMode.Decompress),
                };
                if (!TryReadCapped(stream, maxOutputBytes, out var bytes)) { error = "decompressed body exceeds max_body_bytes"; return false; }
                if (c is "gzip" or "x-gzip" && !GzipTrailerMatches(decoded.Span, bytes.Length)) { error = $"corrupt {c} body"; return false; }
                // The decoders drop whatever follows the compressed stream, but the raw bytes are what gets forwarded.
                if (!CompressedStreamEnd.EndsExactly(c, decoded)) { error = $"corrupt {c} body, or data after its end"; return false; }
                decoded = bytes;
            }
            catch (InvalidDataException) { error = $"corrupt {c} body"; return false; }
            catch (IOException) { error = $"corrupt {c} body"; return false; }
            // BrotliStream reports corrupt input as InvalidOperationException ("decoder ran into invalid data").
            catch (InvalidOperationException) { error = $"corrupt {c} body"; return false; }
        }
        return true;
    }

    /// <summary>
    /// The inflater stops quietly at a truncated stream; the RFC 1952 trailer (ISIZE = length mod 2^32) catches a
    /// truncated or tampered body. Multi-member gzip (rare in requests) fails this check and so fails closed.
    /// </summary>
    private static bool GzipTrailerMatches(ReadOnlySpan<byte> gz, int outputLength) =>
        gz.Length >= 18 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(gz[^4..]) == (uint)outputLength;

    private static bool TryReadCapped(Stream s, long max, out byte[] bytes)
    {
        using var output = new MemoryStream();
        var buf = new byte[16 * 1024];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            if (output.Length + n > max) { bytes = []; return false; }
            output.Write(buf, 0, n);
        }
        bytes = output.ToArray();
        return true;
    }
}
