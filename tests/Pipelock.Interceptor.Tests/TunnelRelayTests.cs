using System.IO.Pipelines;
using System.Text;
using Pipelock.Interceptor.Relay;

namespace Pipelock.Interceptor.Tests;

public class TunnelRelayTests
{
    /// <summary>One end of an in-memory byte pipe pair: what the test writes to <c>Remote</c> the relay reads.</summary>
    private sealed record End(Stream RelaySide, Stream Remote, PipeWriter RemoteWriter);

    private static End Pair()
    {
        var toRelay = new Pipe();
        var fromRelay = new Pipe();
        return new End(
            new DuplexPipeStream(new Duplex(toRelay.Reader, fromRelay.Writer)),
            new DuplexPipeStream(new Duplex(fromRelay.Reader, toRelay.Writer)),
            toRelay.Writer);
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private static async Task<string> ReadExactly(Stream s, int n)
    {
        var buffer = new byte[n];
        await s.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return Encoding.ASCII.GetString(buffer);
    }

    [Fact]
    public async Task BytesFlowBothWays_ThenClientCloseEndsRelay()
    {
        var client = Pair();
        var upstream = Pair();
        var relay = TunnelRelay.RunAsync(client.RelaySide, upstream.RelaySide, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);

        await client.Remote.WriteAsync("hello upstream"u8.ToArray());
        Assert.Equal("hello upstream", await ReadExactly(upstream.Remote, 14));
        await upstream.Remote.WriteAsync("hi client"u8.ToArray());
        Assert.Equal("hi client", await ReadExactly(client.Remote, 9));
        // The client closes its side (FIN): the relay reads end-of-stream and ends the tunnel.
        await client.RemoteWriter.CompleteAsync();

        var result = await relay.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(14, result.ClientToUpstream);
        Assert.Equal(9, result.UpstreamToClient);
    }

    [Fact]
    public async Task Cancellation_CutsTheReadInProgress()
    {
        var client = Pair();
        var upstream = Pair();
        using var cts = new CancellationTokenSource();
        var relay = TunnelRelay.RunAsync(client.RelaySide, upstream.RelaySide, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeProvider.System, cts.Token);

        await Task.Delay(50);
        Assert.False(relay.IsCompleted);
        await cts.CancelAsync();

        var result = await relay.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RelayEnd.Cancelled, result.End);
    }

    [Fact]
    public async Task NoTraffic_IdleTimeoutEndsRelay()
    {
        var client = Pair();
        var upstream = Pair();

        var result = await TunnelRelay.RunAsync(client.RelaySide, upstream.RelaySide, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RelayEnd.IdleTimeout, result.End);
    }

    [Fact]
    public async Task BusyTunnel_MaxDurationEndsRelay()
    {
        var client = Pair();
        var upstream = Pair();
        // One byte is waiting before the relay starts: under load the writer task below may first run after the
        // 300 ms lifetime is already over, and the relay must still have carried client traffic.
        await client.Remote.WriteAsync("x"u8.ToArray());
        var relay = TunnelRelay.RunAsync(client.RelaySide, upstream.RelaySide, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Keep it busy so idle never fires: only the maximum lifetime can end it.
        var writer = Task.Run(async () =>
        {
            try
            {
                while (!relay.IsCompleted && !stop.IsCancellationRequested)
                {
                    await client.Remote.WriteAsync("x"u8.ToArray(), stop.Token);
                    await Task.Delay(20, stop.Token);
                }
            }
            catch (Exception) { }
        });

        var result = await relay.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await writer;
        Assert.Equal(RelayEnd.MaxDuration, result.End);
        Assert.True(result.ClientToUpstream > 0);
    }
}
