using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Pipelock.Agent.Hosting;
using Pipelock.Interceptor.Tls;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Forward;

/// <summary>
/// Connection layer of the forward listener (runs before Kestrel's HTTP layer). A connection that starts with
/// <c>CONNECT</c> becomes a tunnel: authority checked by the URL scanner (SSRF included), then either spliced to
/// the checked address (SNI must match the CONNECT host) or, with <c>tls_interception.enabled</c>, bumped: TLS is
/// terminated with a leaf for the host and the decrypted connection is handed back to Kestrel's HTTP layer, whose
/// requests <see cref="ForwardRequestHandler"/> scans like any other. Anything else goes to Kestrel untouched.
/// </summary>
public sealed class ConnectTunnelLayer
{
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(15);
    private readonly ProxyServices _s;
    private readonly TlsBumpLayer _bump;
    private readonly SpliceLayer _splice;

    public ConnectTunnelLayer(ProxyServices services)
    {
        _s = services;
        _bump = new TlsBumpLayer(services);
        _splice = new SpliceLayer(services);
    }

    public async Task OnConnectionAsync(ConnectionContext ctx, ConnectionDelegate next)
    {
        var input = ctx.Transport.Input;
        using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.ConnectionClosed);
        headTimeout.CancelAfter(HeadTimeout);
        ReadResult r;
        bool? isConnect;
        try
        {
            while (true)
            {
                r = await input.ReadAsync(headTimeout.Token).ConfigureAwait(false);
                isConnect = ConnectRequestHead.IsConnect(r.Buffer);
                if (isConnect is not null || r.IsCompleted) break;
                input.AdvanceTo(r.Buffer.Start, r.Buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (isConnect != true)
        {
            input.AdvanceTo(r.Buffer.Start);
            await next(ctx).ConfigureAwait(false);
            return;
        }

        SequencePosition? end;
        try
        {
            while ((end = ConnectRequestHead.FindEnd(r.Buffer)) is null)
            {
                if (r.Buffer.Length > ConnectRequestHead.MaxHeadBytes || r.IsCompleted)
                {
                    await RespondAsync(ctx, 431, "Request Header Fields Too Large", new { error = "CONNECT head too large or incomplete" }).ConfigureAwait(false);
                    return;
                }
                input.AdvanceTo(r.Buffer.Start, r.Buffer.End);
                r = await input.ReadAsync(headTimeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var head = ConnectRequestHead.Parse(r.Buffer.Slice(0, end.Value), out var parseError);
        input.AdvanceTo(end.Value);
        if (head is null)
        {
            await RespondAsync(ctx, 400, "Bad Request", new { error = parseError }).ConfigureAwait(false);
            return;
        }
        await TunnelAsync(ctx, head, next).ConfigureAwait(false);
    }

    private async Task TunnelAsync(ConnectionContext ctx, ConnectRequestHead head, ConnectionDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var snap = _s.State.Current;
        var cfg = snap.Config;
        var engine = snap.Engine;
        var requestId = _s.Log.NextRequestId();
        var client = (ctx.RemoteEndPoint as IPEndPoint)?.Address;
        var clientIp = ProxyServices.ClientIp(client);
        var target = (head.Port == 80 ? "http://" : "https://") + head.Authority + "/";

        if (_s.KillSwitchDenies(client))
        {
            _s.Metrics.KillSwitchDenials.WithLabels("connect", "forward").Inc();
            _s.Log.Event("warn", "kill_switch_deny", ("method", "CONNECT"), ("target", head.Authority), ("client_ip", clientIp), ("request_id", requestId));
            await RespondAsync(ctx, 503, "Service Unavailable", new { error = "kill switch active", message = cfg.KillSwitch.Message }).ConfigureAwait(false);
            return;
        }
        if (!cfg.ForwardProxy.Enabled)
        {
            await RespondAsync(ctx, 403, "Forbidden", new { error = "forward proxy disabled (forward_proxy.enabled: false)" }).ConfigureAwait(false);
            return;
        }

        var url = await engine.Url.ScanAsync(target, ctx.ConnectionClosed).ConfigureAwait(false);
        var decision = DecisionPolicy.Decide(url.Verdict, engine.Options.Enforce);
        if (decision.Blocked)
        {
            _s.RecordBlockedTunnel(target, clientIp, requestId, decision);
            var f0 = decision.Verdict.Findings[0];
            await RespondAsync(ctx, 403, "Forbidden", new { error = "blocked by pipelock", scanner = f0.Scanner, reason = f0.Rule, request_id = requestId }).ConfigureAwait(false);
            return;
        }
        var addresses = url.Addresses;
        if (addresses.Count == 0)
        {
            addresses = IPAddress.TryParse(url.Host, out var literal) ? [literal]
                : await _s.Resolver.ResolveAsync(url.Host, ctx.ConnectionClosed).ConfigureAwait(false);
        }
        if (addresses.Count == 0)
        {
            await RespondAsync(ctx, 502, "Bad Gateway", new { error = "could not resolve " + url.Host }).ConfigureAwait(false);
            return;
        }

        bool bump = cfg.TlsInterception.Enabled && _s.Tls is not null && !(snap.TlsPassthrough is { IsEmpty: false } p && p.Matches(head.Host));
        await WriteRawAsync(ctx.Transport.Output, "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray()).ConfigureAwait(false);

        // Peek at the ClientHello (not consumed): its SNI must name the CONNECT host.
        var hello = (await ClientHelloPeek.PeekAsync(ctx.Transport.Input, HelloTimeout, ctx.ConnectionClosed).ConfigureAwait(false)).Hello;
        var sni = hello?.ServerName;
        if (cfg.ForwardProxy.SniVerification && sni is not null && !IPAddress.TryParse(head.Host, out _) && !string.Equals(sni, head.Host, StringComparison.Ordinal))
        {
            var mismatch = Verdict.Of(new Finding("sni_mismatch", "SNI Mismatch", Severity.High, ScanAction.Block, $"sni={sni}", 0));
            _s.Log.Decision("blocked", "CONNECT", target, clientIp, requestId, DecisionPolicy.Decide(mismatch), "request");
            _s.Metrics.Tunnels.WithLabels("sni_mismatch", "").Inc();
            return;
        }

        _s.Stats.Tunnel();
        _s.Metrics.ActiveTunnels.Inc();
        _s.Log.Event("info", "tunnel_open", ("target", head.Authority), ("client_ip", clientIp), ("request_id", requestId), ("intercept", bump && hello is not null));
        try
        {
            if (bump && hello is not null) await BumpAsync(ctx, head, addresses, sni ?? head.Host, requestId, clientIp, next).ConfigureAwait(false);
            else await SpliceAsync(ctx, head, addresses, requestId, clientIp, bump ? "not_tls" : null).ConfigureAwait(false);
        }
        finally
        {
            _s.Metrics.ActiveTunnels.Dec();
            _s.Metrics.TunnelDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task SpliceAsync(ConnectionContext ctx, ConnectRequestHead head, IReadOnlyList<IPAddress> addresses, string requestId, string clientIp, string? note)
    {
        var upstream = await _splice.DialAsync(ctx, addresses, head.Port, head.Authority, clientIp, requestId).ConfigureAwait(false);
        if (upstream is null) return;
        await _splice.RelayAsync(ctx, upstream, TimeSpan.FromSeconds(_s.State.Current.Config.ForwardProxy.MaxTunnelSeconds),
            head.Authority, clientIp, requestId, "connect", "forward", note).ConfigureAwait(false);
    }

    private async Task BumpAsync(ConnectionContext ctx, ConnectRequestHead head, IReadOnlyList<IPAddress> addresses, string serverName, string requestId, string clientIp, ConnectionDelegate next) =>
        await _bump.ServeAsync(ctx, serverName, new TunnelTarget(head.Host, head.Port, addresses, head.Authority), requestId, clientIp, next,
            TimeSpan.FromSeconds(Math.Max(1, _s.State.Current.Config.ForwardProxy.MaxTunnelSeconds))).ConfigureAwait(false);

    private static async Task RespondAsync(ConnectionContext ctx, int status, string reason, object body)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        var headText = $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\nConnection: close\r\n\r\n";
        await WriteRawAsync(ctx.Transport.Output, [.. Encoding.ASCII.GetBytes(headText), .. json]).ConfigureAwait(false);
        await ctx.Transport.Output.CompleteAsync().ConfigureAwait(false);
    }

    private static async Task WriteRawAsync(PipeWriter output, byte[] bytes)
    {
        await output.WriteAsync(bytes).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
