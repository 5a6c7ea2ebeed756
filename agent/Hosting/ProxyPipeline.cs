using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Mcp;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// The one terminal middleware behind every listener: routes a request by the listener it arrived on and by its
/// form. Forward listener: requests decrypted from a bumped tunnel and absolute-form requests are proxied;
/// origin-form requests are the proxy's own endpoints. MCP listener: the MCP reverse proxy. API listener: the
/// kill-switch API only.
/// </summary>
public sealed class ProxyPipeline
{
    private readonly ProxyServices _s;
    private readonly ForwardRequestHandler _forward;
    private readonly OperationsEndpoints _ops;
    private readonly McpProxyHandler? _mcp;

    public ProxyPipeline(ProxyServices services, ForwardRequestHandler forward, OperationsEndpoints ops, McpProxyHandler? mcp)
    {
        _s = services;
        _forward = forward;
        _ops = ops;
        _mcp = mcp;
    }

    public async Task InvokeAsync(HttpContext ctx)
    {
        var role = ctx.Features.Get<ListenerRole>()?.Kind ?? ListenerKind.Forward;
        if (role == ListenerKind.Mcp && _mcp is not null)
        {
            await _mcp.HandleAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (role is ListenerKind.Api or ListenerKind.Metrics)
        {
            if (!await _ops.TryHandleAsync(ctx, apiAllowed: role == ListenerKind.Api).ConfigureAwait(false))
                await ProxyResponses.ErrorAsync(ctx, 404, "not found").ConfigureAwait(false);
            return;
        }

        var tunnel = ctx.Features.Get<TunnelTarget>();
        if (role == ListenerKind.Transparent && tunnel is null)
        {
            // Every flow on the transparent listener carries its original destination; without one there is nothing to serve.
            ctx.Abort();
            return;
        }
        var raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value ?? "/";
        if (tunnel is not null)
        {
            var path = raw.StartsWith('/') ? raw : "/" + raw;
            if (tunnel.Transparent && tunnel.Sni is null)
            {
                // Intercepted without a server name (plain HTTP, or TLS to a bare IP): the Host header names the origin
                // for the URL layers; the proxy still dials only the original destination address.
                var named = ctx.Request.Host.HasValue ? ctx.Request.Host.Value! : tunnel.Authority;
                await _forward.HandleAsync(ctx, tunnel.Scheme + "://" + named + path, tunnel).ConfigureAwait(false);
                return;
            }
            // Inside a bumped tunnel the request must stay on the CONNECT host / the SNI (no domain fronting through us).
            if (!SameAuthority(ctx.Request.Host, tunnel))
            {
                await ProxyResponses.ErrorAsync(ctx, 403, $"Host '{ctx.Request.Host}' does not match the TLS server name '{tunnel.Authority}'").ConfigureAwait(false);
                return;
            }
            await _forward.HandleAsync(ctx, tunnel.Scheme + "://" + tunnel.Authority + path, tunnel).ConfigureAwait(false);
            return;
        }
        if (raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!_s.State.Current.Config.ForwardProxy.Enabled)
            {
                await ProxyResponses.ErrorAsync(ctx, 403, "forward proxy disabled (forward_proxy.enabled: false)").ConfigureAwait(false);
                return;
            }
            await _forward.HandleAsync(ctx, raw, null).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsConnect(ctx.Request.Method))
        {
            ctx.Response.Headers.Connection = "close";
            await ProxyResponses.ErrorAsync(ctx, 400, "CONNECT must be the first request on a connection").ConfigureAwait(false);
            return;
        }
        bool apiHere = _s.State.Current.Config.KillSwitch.ApiListen.Length == 0;
        if (!await _ops.TryHandleAsync(ctx, apiHere).ConfigureAwait(false))
            await ProxyResponses.ErrorAsync(ctx, 404, "not found: this is a forward proxy; send absolute-form requests or CONNECT").ConfigureAwait(false);
    }

    private static bool SameAuthority(HostString host, TunnelTarget tunnel)
    {
        if (!host.HasValue) return true;
        var h = host.Host.TrimEnd('.').Trim('[', ']');
        int port = host.Port ?? (tunnel.Scheme == "http" ? 80 : 443);
        return string.Equals(h, tunnel.Host, StringComparison.OrdinalIgnoreCase) && port == tunnel.Port;
    }
}
