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
                    if (buffer.Length >= cap) return (buffer, length, true);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
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
