using System.Buffers;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// Reads a body that must be scanned whole (a request body, a buffered response, an MCP message) into a pooled
/// buffer, stopping one byte past the limit: a body too large to scan is refused, never passed on unscanned. Return
/// the buffer with <see cref="ArrayPool{T}.Shared"/> when done (it is returned for you if reading throws).
/// </summary>
public static class BoundedBody
{
    public static Task<(byte[] Buffer, int Length, bool TooLarge)> ReadAsync(Stream stream, long? declared, long limit, CancellationToken ct) =>
        ReadAsync(stream, declared, (int)Math.Min(limit, Array.MaxLength - 1), ct);

    public static async Task<(byte[] Buffer, int Length, bool TooLarge)> ReadAsync(Stream stream, long? declared, int limit, CancellationToken ct)
    {
        if (declared is { } d && d > limit) return (ArrayPool<byte>.Shared.Rent(1), 0, true);
        int cap = limit + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(declared ?? 16 * 1024, 1024), cap));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    byte? extra = null;
                    if (declared == length)
                    {
                        // The declared length is in: probe for the end without doubling the buffer first (a 1 MB body
                        // otherwise took a 2 MB pooled array, and a copy, just to read the final 0).
                        var probe = new byte[1];
                        if (await stream.ReadAsync(probe, ct).ConfigureAwait(false) == 0) return (buffer, length, false);
                        extra = probe[0];
                    }
                    if (buffer.Length >= cap) return (buffer, length, true);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    if (extra is { } b)
                    {
                        buffer[length++] = b;
                        if (length > limit) return (buffer, length, true);
                    }
                }
                int n = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, cap) - length), ct).ConfigureAwait(false);
                if (n == 0) return (buffer, length, false);
                length += n;
                if (length > limit) return (buffer, length, true);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
