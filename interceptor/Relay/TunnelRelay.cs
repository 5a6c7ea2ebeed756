using System.Buffers;

namespace Pipelock.Interceptor.Relay;

/// <summary>Why a relay ended.</summary>
public enum RelayEnd
{
    Closed,
    IdleTimeout,
    MaxDuration,
    Cancelled,
    Error,
}

/// <summary>Bytes moved and why the relay ended.</summary>
public readonly record struct RelayResult(long ClientToUpstream, long UpstreamToClient, RelayEnd End);

/// <summary>
/// Copies bytes both ways between two streams (a spliced CONNECT tunnel or transparent flow) until either side
/// closes, nothing moves for <c>idle</c>, the tunnel reaches <c>max</c>, or <c>cancel</c> fires (kill switch,
/// shutdown). Every read observes the token, so a kill switch cuts the tunnel at the read in progress.
/// </summary>
public static class TunnelRelay
{
    private const int BufferSize = 16 * 1024;

    public static async Task<RelayResult> RunAsync(Stream client, Stream upstream, TimeSpan idle, TimeSpan max, TimeProvider time, CancellationToken cancel)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (max > TimeSpan.Zero) lifetime.CancelAfter(max);
        long lastActivity = time.GetTimestamp();
        long up = 0, down = 0;
        var idleReason = false;

        async Task Pump(Stream from, Stream to, bool clientToUpstream)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (true)
                {
                    int n = await from.ReadAsync(buffer.AsMemory(0, BufferSize), lifetime.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    Volatile.Write(ref lastActivity, time.GetTimestamp());
                    await to.WriteAsync(buffer.AsMemory(0, n), lifetime.Token).ConfigureAwait(false);
                    await to.FlushAsync(lifetime.Token).ConfigureAwait(false);
                    if (clientToUpstream) Interlocked.Add(ref up, n); else Interlocked.Add(ref down, n);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        async Task Watchdog()
        {
            if (idle <= TimeSpan.Zero) return;
            var tick = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 50, 1000));
            using var timer = new PeriodicTimer(tick, time);
            while (await timer.WaitForNextTickAsync(lifetime.Token).ConfigureAwait(false))
            {
                if (time.GetElapsedTime(Volatile.Read(ref lastActivity)) >= idle)
                {
                    idleReason = true;
                    await lifetime.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }

        var a = Pump(client, upstream, true);
        var b = Pump(upstream, client, false);
        var watchdog = Watchdog();
        RelayEnd end = RelayEnd.Closed;
        try
        {
            // Either direction finishing ends the tunnel: half-open TCP is not worth holding for a proxy.
            var first = await Task.WhenAny(a, b).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            end = idleReason ? RelayEnd.IdleTimeout : cancel.IsCancellationRequested ? RelayEnd.Cancelled : RelayEnd.MaxDuration;
        }
        catch (Exception)
        {
            end = cancel.IsCancellationRequested ? RelayEnd.Cancelled : RelayEnd.Error;
        }
        finally
        {
            await lifetime.CancelAsync().ConfigureAwait(false);
        }
        // Close both ends so the other pump's pending read completes.
        await client.DisposeAsync().ConfigureAwait(false);
        await upstream.DisposeAsync().ConfigureAwait(false);
        foreach (var t in new[] { a, b, watchdog })
        {
            try { await t.ConfigureAwait(false); } catch (Exception) { }
        }
        return new RelayResult(Interlocked.Read(ref up), Interlocked.Read(ref down), end);
    }
}
