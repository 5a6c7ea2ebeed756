using System.Buffers;
using System.IO.Pipelines;

namespace Pipelock.Interceptor.Tls;

/// <summary>What a connection sent first: a parsed ClientHello when it was TLS, and its first bytes either way.</summary>
/// <param name="First">Up to 16 leading bytes (null when nothing arrived in time).</param>
/// <param name="Hello">The ClientHello when the connection starts with a complete one, else null.</param>
public sealed record PeekedStart(ReadOnlySequence<byte>? First, ClientHello? Hello);

/// <summary>
/// Waits (bounded) for a connection's first bytes without consuming them: enough for a whole ClientHello, or enough
/// to tell it is not TLS. The bytes stay in the pipe for whichever layer comes next (splice, bump, HTTP).
/// </summary>
public static class ClientHelloPeek
{
    private const int KeptBytes = 16;

    public static async Task<PeekedStart> PeekAsync(PipeReader input, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var r = await input.ReadAsync(limit.Token).ConfigureAwait(false);
                var status = ClientHello.TryParse(r.Buffer, out var hello);
                if (status == ClientHelloStatus.NeedMore && !r.IsCompleted)
                {
                    input.AdvanceTo(r.Buffer.Start, r.Buffer.End);
                    continue;
                }
                ReadOnlySequence<byte>? first = r.Buffer.IsEmpty ? null : new ReadOnlySequence<byte>(r.Buffer.Slice(0, Math.Min(r.Buffer.Length, KeptBytes)).ToArray());
                input.AdvanceTo(r.Buffer.Start, r.Buffer.Start);
                return new PeekedStart(first, status == ClientHelloStatus.Complete ? hello : null);
            }
        }
        catch (OperationCanceledException)
        {
            return new PeekedStart(null, null);
        }
    }
}
