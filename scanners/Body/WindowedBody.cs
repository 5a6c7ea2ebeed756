using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Body;

/// <summary>
/// A body held in memory (as received, maybe compressed), scanned window by window: the decoded text never exists as
/// one string, so scanning a multi-megabyte response costs two pooled window buffers, not several whole-body copies
/// on the Large Object Heap.
/// </summary>
public static class WindowedBody
{
    /// <summary>
    /// Feeds <paramref name="body"/>, undoing <paramref name="contentEncoding"/>, to <paramref name="sink"/>. Returns null
    /// when every byte was scanned, else why it could not be (unsupported or corrupt coding, decoded output over
    /// <paramref name="maxDecodedBytes"/>): the caller fails closed.
    /// </summary>
    public static string? Scan(ReadOnlyMemory<byte> body, string? contentEncoding, long maxDecodedBytes, ITextWindowSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using var windows = new Utf8TextWindows();
        if (!ContentDecodingStream.HasCoding(contentEncoding))
        {
            var rest = body.Span;
            while (!rest.IsEmpty)
            {
                rest = rest[windows.Write(rest)..];
                if (windows.IsFull) ScanFull(windows, sink);
            }
            windows.Scan(sink, final: true);
            windows.Release();
            return null;
        }

        var input = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        using var decoded = ContentDecodingStream.Open(contentEncoding, input, out var error);
        if (decoded is null) return error;
        long total = 0;
        try
        {
            int n;
            while ((n = decoded.Read(windows.Free.Span)) > 0)
            {
                total += n;
                if (total > maxDecodedBytes) return $"decompressed body exceeds {maxDecodedBytes} bytes";
                windows.Advance(n);
                if (windows.IsFull) ScanFull(windows, sink);
            }
        }
        catch (InvalidDataException)
        {
            return $"corrupt {Verdicts.Redaction.Excerpt(contentEncoding, 32)} body";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // BrotliStream reports invalid data as InvalidOperationException.
            return $"corrupt {Verdicts.Redaction.Excerpt(contentEncoding, 32)} body";
        }
        windows.Scan(sink, final: true);
        windows.Release();
        return null;
    }

    private static void ScanFull(Utf8TextWindows windows, ITextWindowSink sink)
    {
        windows.Scan(sink, final: false);
        windows.Release();
    }
}
