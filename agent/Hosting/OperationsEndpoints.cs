using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Operations;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// <c>/health</c>, <c>/metrics</c>, <c>/stats</c> and the kill-switch API (<c>/api/v1/killswitch</c>), served on the
/// forward listener (and the API on <c>kill_switch.api_listen</c> when set). These answer only origin-form requests
/// addressed to the proxy itself, never a proxied absolute-form request for some other host's /health.
/// </summary>
public sealed class OperationsEndpoints
{
    private const int MaxApiBody = 1024;
    private readonly ProxyServices _s;
    private readonly Lock _rateGate = new();
    private readonly Queue<long> _apiCalls = new();

    public OperationsEndpoints(ProxyServices services) => _s = services;

    /// <summary>Handles the request when it is one of ours; returns false otherwise.</summary>
    public async Task<bool> TryHandleAsync(HttpContext ctx, bool apiAllowed)
    {
        var path = ctx.Request.Path.Value ?? "";
        var ks = _s.State.Current.Config.KillSwitch;
        switch (path)
        {
            case "/health":
                if (!ks.HealthExempt && _s.KillSwitchDenies(ctx.Connection.RemoteIpAddress)) return await DenyAsync(ctx).ConfigureAwait(false);
                await ProxyResponses.JsonAsync(ctx, 200, Health()).ConfigureAwait(false);
                return true;
            case "/metrics":
                if (!ks.MetricsExempt && _s.KillSwitchDenies(ctx.Connection.RemoteIpAddress)) return await DenyAsync(ctx).ConfigureAwait(false);
                _s.Metrics.CertCacheSize.Set(_s.Tls?.CacheSize() ?? 0);
                ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await _s.Metrics.WriteAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
                return true;
            case "/stats":
                if (_s.KillSwitchDenies(ctx.Connection.RemoteIpAddress)) return await DenyAsync(ctx).ConfigureAwait(false);
                await ProxyResponses.JsonAsync(ctx, 200, _s.Stats.Snapshot((_s.Time.GetUtcNow() - _s.StartedAt).TotalSeconds)).ConfigureAwait(false);
                return true;
            case "/api/v1/killswitch" or "/api/v1/killswitch/status" when apiAllowed:
                await KillSwitchApiAsync(ctx, path.EndsWith("/status", StringComparison.Ordinal)).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private async Task<bool> DenyAsync(HttpContext ctx)
    {
        _s.Metrics.KillSwitchDenials.WithLabels("http", ctx.Request.Path.Value ?? "").Inc();
        await ProxyResponses.KillSwitchAsync(ctx, _s.State.Current.Config.KillSwitch.Message).ConfigureAwait(false);
        return true;
    }

    public object Health()
    {
        var c = _s.State.Current.Config;
        return new
        {
            status = "healthy",
            version = _s.Version,
            mode = c.Mode.ToString().ToLowerInvariant(),
            uptime_seconds = Math.Round((_s.Time.GetUtcNow() - _s.StartedAt).TotalSeconds, 1),
            dlp_patterns = _s.State.Current.Engine.Dlp.PatternCount,
            response_scan_enabled = c.ResponseScanning.Enabled,
            git_protection_enabled = false,
            rate_limit_enabled = c.FetchProxy.Monitoring.MaxRequestsPerMinute > 0,
            forward_proxy_enabled = c.ForwardProxy.Enabled,
            websocket_proxy_enabled = false,
            request_body_scan_enabled = c.RequestBodyScanning.Enabled,
            tls_interception_enabled = c.TlsInterception.Enabled && _s.Tls is not null,
            kill_switch_active = _s.KillSwitch.IsActive,
        };
    }

    /// <summary>
    /// POST {"active": bool} with <c>Authorization: Bearer &lt;api_token&gt;</c> (constant-time compare, 1 KiB body,
    /// unknown fields rejected, 30 calls a minute); GET …/status reports each source.
    /// </summary>
    private async Task KillSwitchApiAsync(HttpContext ctx, bool statusOnly)
    {
        var token = ApiToken();
        if (token.Length == 0)
        {
            await ProxyResponses.ErrorAsync(ctx, 403, "kill switch API disabled: set kill_switch.api_token or PIPELOCK_KILLSWITCH_API_TOKEN").ConfigureAwait(false);
            return;
        }
        if (!Authorized(ctx.Request.Headers.Authorization.ToString(), token))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await ProxyResponses.ErrorAsync(ctx, 401, "unauthorized").ConfigureAwait(false);
            return;
        }
        if (!TakeRateToken())
        {
            ctx.Response.Headers.RetryAfter = "60";
            await ProxyResponses.ErrorAsync(ctx, 429, "rate limited").ConfigureAwait(false);
            return;
        }
        if (statusOnly || HttpMethods.IsGet(ctx.Request.Method))
        {
            await ProxyResponses.JsonAsync(ctx, 200, new { active = _s.KillSwitch.IsActive, sources = _s.KillSwitch.Status() }).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(ctx.Request.Method))
        {
            ctx.Response.Headers.Allow = "GET, POST";
            await ProxyResponses.ErrorAsync(ctx, 405, "method not allowed").ConfigureAwait(false);
            return;
        }
        var buffer = new byte[MaxApiBody + 1];
        int n = 0, read;
        while (n < buffer.Length && (read = await ctx.Request.Body.ReadAsync(buffer.AsMemory(n), ctx.RequestAborted).ConfigureAwait(false)) > 0) n += read;
        if (n > MaxApiBody)
        {
            await ProxyResponses.ErrorAsync(ctx, 413, "body over 1 KiB").ConfigureAwait(false);
            return;
        }
        bool? active = null;
        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, n));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("expected an object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name != "active" || p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    throw new JsonException($"unknown or invalid field '{p.Name}' (only \"active\": true|false)");
                active = p.Value.GetBoolean();
            }
            if (active is null) throw new JsonException("missing \"active\"");
        }
        catch (JsonException e)
        {
            await ProxyResponses.ErrorAsync(ctx, 400, e.Message).ConfigureAwait(false);
            return;
        }
        // The switch's Changed handler logs the change once (for every source).
        _s.KillSwitch.Set(KillSwitchSource.Api, active.Value);
        await ProxyResponses.JsonAsync(ctx, 200, new { active = _s.KillSwitch.IsActive, sources = _s.KillSwitch.Status() }).ConfigureAwait(false);
    }

    private string ApiToken()
    {
        var t = _s.State.Current.Config.KillSwitch.ApiToken;
        return t.Length > 0 ? t : Environment.GetEnvironmentVariable("PIPELOCK_KILLSWITCH_API_TOKEN") ?? "";
    }

    private static bool Authorized(string header, string token)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private bool TakeRateToken()
    {
        long now = _s.Time.GetTimestamp();
        lock (_rateGate)
        {
            while (_apiCalls.Count > 0 && _s.Time.GetElapsedTime(_apiCalls.Peek(), now) > TimeSpan.FromMinutes(1)) _apiCalls.Dequeue();
            if (_apiCalls.Count >= 30) return false;
            _apiCalls.Enqueue(now);
            return true;
        }
    }
}
