using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Hosting;
using Pipelock.Interceptor.Tls;
using Pipelock.Interceptor.Transparent;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Transparent;

/// <summary>
/// Connection layer of the transparent listener (nftables REDIRECT or TPROXY send intercepted flows here). Layers,
/// top to bottom: original destination (REDIRECT: conntrack; TPROXY: the local endpoint; the listener's own address:
/// refused, it would loop) → kill switch → timed peek → TLS ClientHello? SNI checked by the URL scanner against the
/// dialled address → splice (passthrough_domains, hosts whose clients rejected our certificate, interception off)
/// or bump (our leaf, then Kestrel's HTTP layer, which scans and re-originates verified TLS to the ORIGINAL address)
/// → plain HTTP goes to the HTTP layer directly → anything else is blocked or spliced per
/// <c>transparent.unknown_protocol</c>.
/// </summary>
public sealed class TransparentLayer
{
    private static readonly TimeSpan PeekTimeout = TimeSpan.FromSeconds(5);
    private readonly ProxyServices _s;
    private readonly TlsBumpLayer _bump;
    private readonly SpliceLayer _splice;
    private readonly AutoPassthrough _auto;

    public TransparentLayer(ProxyServices services, AutoPassthrough autoPassthrough)
    {
        _s = services;
        _bump = new TlsBumpLayer(services);
        _splice = new SpliceLayer(services);
        _auto = autoPassthrough;
    }

    public async Task OnConnectionAsync(ConnectionContext ctx, ConnectionDelegate next)
    {
        var snap = _s.State.Current;
        var cfg = snap.Config;
        var socket = ctx.Features.Get<IConnectionSocketFeature>()?.Socket;
        var client = (ctx.RemoteEndPoint as IPEndPoint)?.Address;
        var clientIp = ProxyServices.ClientIp(client);
        var requestId = _s.Log.NextRequestId();
        if (socket is null) return;

        var (dst, kind) = OriginalDestination.Read(socket, cfg.Transparent.ListenPort);
        if (kind == InterceptionKind.Direct)
        {
            _s.Metrics.TlsIntercept.WithLabels("direct_refused").Inc();
            _s.Log.Event("warn", "transparent_direct", ("client_ip", clientIp), ("request_id", requestId),
                ("error", "connection to the transparent listener itself (no original destination); refused"));
            return;
        }
        if (_s.KillSwitchDenies(client))
        {
            _s.Metrics.KillSwitchDenials.WithLabels("transparent", "transparent").Inc();
            _s.Log.Event("warn", "kill_switch_deny", ("transport", "transparent"), ("target", dst.ToString()), ("client_ip", clientIp), ("request_id", requestId));
            return;
        }

        var (first, hello) = await ClientHelloPeek.PeekAsync(ctx.Transport.Input, PeekTimeout, ctx.ConnectionClosed).ConfigureAwait(false);
        var authority = FormatAuthority(dst.Address.ToString(), dst.Port);
        if (hello is not null)
        {
            var sni = hello.ServerName;
            string? name = sni is not null && !IPAddress.TryParse(sni, out _) ? sni : null;
            var host = name ?? dst.Address.ToString();
            var target = new TunnelTarget(host, dst.Port, [dst.Address], FormatAuthority(host, dst.Port), Transparent: true, Scheme: "https", Sni: name);
            if (!await AllowedAsync(snap, "https://" + target.Authority + "/", dst, clientIp, requestId, ctx.ConnectionClosed).ConfigureAwait(false)) return;

            string? spliceReason = !cfg.TlsInterception.Enabled || _s.Tls is null ? "tls_interception_off"
                : name is not null && snap.TlsPassthrough is { IsEmpty: false } p && p.Matches(name) ? "passthrough_domains"
                : _auto.Contains(host) ? "auto_passthrough"
                : null;
            if (spliceReason is not null)
            {
                _s.Metrics.TlsIntercept.WithLabels(spliceReason == "auto_passthrough" ? "auto_passthrough" : "passthrough").Inc();
                await SpliceAsync(ctx, dst, target.Authority, clientIp, requestId, spliceReason).ConfigureAwait(false);
                return;
            }
            _s.Stats.Tunnel();
            var failure = await _bump.ServeAsync(ctx, name ?? dst.Address.ToString(), target, requestId, clientIp, next, maxAge: null).ConfigureAwait(false);
            if (failure is BumpFailure.CertificateRejected or BumpFailure.ClientAbandoned)
            {
                // A pinned client (the Stripe gem pins its own bundle): splice this host for a while so the app keeps
                // working; logged and counted, and bounded in time. A handshake dropped by a reset counts too: the
                // rejecting alert is often lost behind the reset that follows it. No new bypass: a client that wants a
                // host spliced could send the alert just as well.
                _auto.Add(host);
                _s.Metrics.TlsIntercept.WithLabels("auto_passthrough_added").Inc();
                _s.Log.Event("warn", "auto_passthrough", ("target", target.Authority), ("client_ip", clientIp), ("request_id", requestId),
                    ("reason", (failure == BumpFailure.CertificateRejected
                        ? "client rejected the interception certificate"
                        : "client dropped the handshake after our certificate") + "; host spliced for the next 30 minutes"));
            }
            return;
        }
        if (first is not null && LooksLikeHttp(first.Value))
        {
            if (!await AllowedAsync(snap, "http://" + authority + "/", dst, clientIp, requestId, ctx.ConnectionClosed).ConfigureAwait(false)) return;
            ctx.Features.Set(new TunnelTarget(dst.Address.ToString(), dst.Port, [dst.Address], authority, Transparent: true, Scheme: "http"));
            using var killed = _s.AbortOnKillSwitch(ctx);
            await next(ctx).ConfigureAwait(false);
            return;
        }

        // Neither TLS nor HTTP (SSH or SMTP on 443, a server-speaks-first protocol that sent nothing): never hang.
        if (cfg.Transparent.UnknownProtocol == "splice")
        {
            if (!await AllowedAsync(snap, "https://" + authority + "/", dst, clientIp, requestId, ctx.ConnectionClosed).ConfigureAwait(false)) return;
            await SpliceAsync(ctx, dst, authority, clientIp, requestId, "unknown_protocol").ConfigureAwait(false);
            return;
        }
        var unknown = Verdict.Of(new Finding(ScannerNames.Parser, "Unknown Protocol", Severity.Medium, ScanAction.Block,
            first is null ? "client sent nothing" : "neither TLS nor HTTP", 0));
        _s.Log.Decision("blocked", "TCP", "tcp://" + authority, clientIp, requestId, DecisionPolicy.Decide(unknown), "request");
        _s.Metrics.Tunnels.WithLabels("blocked", "").Inc();
    }

    /// <summary>URL layers on the name, SSRF on the dialled address; logs and returns false when blocked.</summary>
    private async Task<bool> AllowedAsync(RuntimeSnapshot snap, string url, IPEndPoint dst, string clientIp, string requestId, CancellationToken ct)
    {
        var scan = await snap.Engine.Url.ScanAsync(url, [dst.Address], ct).ConfigureAwait(false);
        var decision = DecisionPolicy.Decide(scan.Verdict, snap.Engine.Options.Enforce);
        if (!decision.Blocked) return true;
        _s.RecordBlockedTunnel(url, clientIp, requestId, decision);
        return false;
    }

    private async Task SpliceAsync(ConnectionContext ctx, IPEndPoint dst, string authority, string clientIp, string requestId, string reason)
    {
        var upstream = await _splice.DialAsync(ctx, [dst.Address], dst.Port, authority, clientIp, requestId).ConfigureAwait(false);
        if (upstream is null) return;
        _s.Stats.Tunnel();
        _s.Metrics.ActiveTunnels.Inc();
        _s.Log.Event("info", "tunnel_open", ("target", authority), ("client_ip", clientIp), ("request_id", requestId), ("intercept", false), ("transparent", true), ("reason", reason));
        try
        {
            // No maximum age: an intercepted flow is the app's own connection, not a proxy tunnel it asked for.
            await _splice.RelayAsync(ctx, upstream, TimeSpan.Zero, authority, clientIp, requestId, "transparent", "transparent", reason).ConfigureAwait(false);
        }
        finally
        {
            _s.Metrics.ActiveTunnels.Dec();
        }
    }

    /// <summary>An HTTP/1.x request line starts with a method token and a space.</summary>
    private static bool LooksLikeHttp(ReadOnlySequence<byte> first)
    {
        Span<byte> b = stackalloc byte[16];
        int n = (int)Math.Min(first.Length, 16);
        first.Slice(0, n).CopyTo(b);
        int i = 0;
        while (i < n && b[i] is >= (byte)'A' and <= (byte)'Z') i++;
        return i is >= 3 and <= 7 && i < n && b[i] == (byte)' ';
    }

    private static string FormatAuthority(string host, int port) =>
        (host.Contains(':') ? "[" + host + "]" : host) + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
