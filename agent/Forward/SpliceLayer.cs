using System.Net;
using Microsoft.AspNetCore.Connections;
using Pipelock.Agent.Hosting;
using Pipelock.Interceptor.Relay;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The splice layer shared by CONNECT tunnels and transparent flows: dial the checked (or original) address, relay
/// bytes both ways unread until a side closes, the idle or maximum time runs out, or the kill switch cuts it, and
/// account for it the same way whichever listener it came from.
/// </summary>
public sealed class SpliceLayer
{
    private readonly ProxyServices _s;

    public SpliceLayer(ProxyServices services) => _s = services;

    /// <summary>Connects upstream; null (counted and logged) when no address answers.</summary>
    public async Task<Stream?> DialAsync(ConnectionContext ctx, IReadOnlyList<IPAddress> addresses, int port, string authority, string clientIp, string requestId)
    {
        try
        {
            return await _s.Upstream.DialAsync(addresses, port, ctx.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            _s.Metrics.Tunnels.WithLabels("error", "").Inc();
            _s.Log.Event("warn", "error", ("target", authority), ("client_ip", clientIp), ("request_id", requestId), ("error", "dial failed"), ("detail", e.Message));
            return null;
        }
    }

    /// <summary>Relays until the tunnel ends, then records bytes, the outcome and a <c>tunnel_close</c> event.</summary>
    /// <param name="maxDuration">Zero for no limit.</param>
    /// <param name="transport">The kill-switch metric's transport label ("connect", "transparent").</param>
    /// <param name="endpoint">The kill-switch metric's endpoint label (the listener: "forward", "transparent").</param>
    public async Task RelayAsync(ConnectionContext ctx, Stream upstream, TimeSpan maxDuration, string authority, string clientIp, string requestId, string transport, string endpoint, string? note)
    {
        var idle = TimeSpan.FromSeconds(_s.State.Current.Config.ForwardProxy.IdleTimeoutSeconds);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.ConnectionClosed, _s.KillSwitchTokenFor((ctx.RemoteEndPoint as IPEndPoint)?.Address));
        var result = await TunnelRelay.RunAsync(new DuplexPipeStream(ctx.Transport), upstream, idle, maxDuration, _s.Time, cancel.Token).ConfigureAwait(false);
        _s.Metrics.Tunnels.WithLabels(result.End == RelayEnd.Error ? "error" : "ok", "").Inc();
        _s.Metrics.TunnelBytes.Inc(result.ClientToUpstream + result.UpstreamToClient);
        // Cancelled without the kill switch means the client's connection closed under the relay.
        var end = result.End == RelayEnd.Cancelled && !_s.KillSwitch.IsActive ? RelayEnd.Closed : result.End;
        if (end == RelayEnd.Cancelled)
        {
            _s.Metrics.KillSwitchDenials.WithLabels(transport, endpoint).Inc();
            _s.Log.Event("warn", "kill_switch_deny", ("transport", transport), ("target", authority), ("client_ip", clientIp), ("request_id", requestId));
        }
        _s.Log.Event("info", "tunnel_close", ("target", authority), ("client_ip", clientIp), ("request_id", requestId),
            ("bytes_out", result.ClientToUpstream), ("bytes_in", result.UpstreamToClient),
            ("end", end == RelayEnd.Cancelled ? "kill_switch" : end.ToString().ToLowerInvariant()), ("note", note));
    }
}
