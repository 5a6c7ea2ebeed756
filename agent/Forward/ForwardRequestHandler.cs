using System.Buffers;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipelock.Agent.Config;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Verdicts;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The HTTP layer of the forward proxy: one request, absolute-form (<c>GET http://host/path</c>) or decrypted from a
/// bumped CONNECT tunnel. Order: kill switch → URL scanner (incl. DLP on the URL and the SSRF check whose addresses
/// are the only ones dialled) → header DLP → body DLP (buffered up to the limit; larger fails closed) → YARP
/// forwards → <see cref="ScanningTransformer"/> scans the response. Nothing reaches the upstream before every
/// request-side scan has passed.
/// </summary>
public sealed class ForwardRequestHandler
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // The client's HTTP/1.1 is kept upstream: changing protocol would change what the origin sees.
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        // LLM responses take minutes; our own copy loops watch the client and the kill switch.
        ActivityTimeout = TimeSpan.FromMinutes(15),
    };

    private readonly ProxyServices _s;

    public ForwardRequestHandler(ProxyServices services) => _s = services;

    public async Task HandleAsync(HttpContext ctx, string targetUrl, TunnelTarget? tunnel)
    {
        var started = Stopwatch.GetTimestamp();
        var snap = _s.State.Current;
        var engine = snap.Engine;
        var cfg = snap.Config;
        var requestId = _s.Log.NextRequestId();
        var clientIp = ProxyServices.ClientIp(ctx.Connection.RemoteIpAddress);
        var method = ctx.Request.Method;

        if (_s.KillSwitchDenies(ctx.Connection.RemoteIpAddress))
        {
            _s.Metrics.KillSwitchDenials.WithLabels("http", "forward").Inc();
            _s.Log.Event("warn", "kill_switch_deny", ("method", method), ("url", DecisionLogUrl(targetUrl)), ("client_ip", clientIp), ("request_id", requestId));
            await ProxyResponses.KillSwitchAsync(ctx, cfg.KillSwitch.Message).ConfigureAwait(false);
            return;
        }

        // A kill switch turned on while this request is in flight (a long download, a slow upstream) cuts it too.
        using var cutOnKill = _s.KillSwitchTokenFor(ctx.Connection.RemoteIpAddress).Register(static c => ((HttpContext)c!).Abort(), ctx);

        // 1. URL (and SSRF). A bumped tunnel was checked when it opened; its requests are checked again because the
        // path and query carry data too, but they must stay on the tunnel's host.
        // Transparent flows: SSRF judges the address the client dialled, and that is the only address used.
        var url = tunnel is { Transparent: true }
            ? await engine.Url.ScanAsync(targetUrl, tunnel.Addresses, ctx.RequestAborted).ConfigureAwait(false)
            : await engine.Url.ScanAsync(targetUrl, ctx.RequestAborted).ConfigureAwait(false);
        var urlDecision = DecisionPolicy.Decide(url.Verdict, engine.Options.Enforce);
        if (urlDecision.Blocked)
        {
            await BlockAsync(ctx, urlDecision, method, targetUrl, clientIp, requestId, started, tunnel is not null).ConfigureAwait(false);
            return;
        }

        // 2. Headers and body.
        var host = url.Host;
        var verdicts = new List<Verdict>(3) { url.Verdict };
        var body = cfg.RequestBodyScanning;
        if (body.Enabled && body.ScanHeaders)
        {
            var headers = new List<KeyValuePair<string, string>>(ctx.Request.Headers.Count);
            foreach (var h in ctx.Request.Headers)
                foreach (var v in h.Value) if (v is not null) headers.Add(new(h.Key, v));
            var hv = engine.Body.ScanHeaders(headers, host);
            if (!hv.IsClean) _s.Metrics.HeaderDlpHits.WithLabels(hv.Action.ToWord(), "").Inc();
            verdicts.Add(hv);
        }

        byte[]? bodyBytes = null;
        int bodyLength = 0;
        ScanningRequestStream? streamed = null;
        try
        {
            if (RequestHasBody(ctx))
            {
                long limit = body.Enabled ? body.MaxBodyBytes : long.MaxValue;
                if (body.Enabled)
                {
                    (bodyBytes, bodyLength, bool tooLarge) = await BoundedBody.ReadAsync(ctx.Request.Body, ctx.Request.ContentLength, limit, ctx.RequestAborted).ConfigureAwait(false);
                    if (tooLarge && body.Oversize == OversizeMode.Stream)
                    {
                        // oversize: stream. Raw-text DLP window by window as the body is forwarded (no structure: a
                        // window of a document does not parse); a content-encoded body is decoded as it flows.
                        streamed = new ScanningRequestStream(ctx.Request.Body, bodyBytes.AsMemory(0, bodyLength), engine.Body, host, engine.Options.Enforce,
                            ctx.Request.Headers.ContentEncoding.ToString());
                        if (!await streamed.PrimeAsync(ctx.RequestAborted).ConfigureAwait(false))
                        {
                            CountBodyHit(streamed.Verdict);
                            await BlockAsync(ctx, streamed.Blocked!, method, targetUrl, clientIp, requestId, started, tunnel is not null).ConfigureAwait(false);
                            return;
                        }
                    }
                    else if (tooLarge)
                    {
                        // Fail closed: an unscanned body never leaves (Pipelock's request_body_scanning contract).
                        var oversize = Verdict.Of(new Finding(ScannerNames.BodyParse, "Body Too Large", Severity.High, ScanAction.Block,
                            $"request body over {limit} bytes", 0));
                        await BlockAsync(ctx, DecisionPolicy.Decide(oversize, engine.Options.Enforce), method, targetUrl, clientIp, requestId, started, tunnel is not null, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
                        return;
                    }
                    else
                    {
                        var bv = engine.Body.ScanBody(ctx.Request.ContentType, ctx.Request.Headers.ContentEncoding.ToString(),
                            new ReadOnlyMemory<byte>(bodyBytes, 0, bodyLength), host);
                        CountBodyHit(bv);
                        verdicts.Add(bv);
                    }
                }
            }

            var decision = DecisionPolicy.Decide(Verdict.Combine([.. verdicts]), engine.Options.Enforce);
            if (decision.Blocked)
            {
                await BlockAsync(ctx, decision, method, targetUrl, clientIp, requestId, started, tunnel is not null).ConfigureAwait(false);
                return;
            }
            if (!decision.Verdict.IsClean) _s.Log.Decision("request_scan", method, targetUrl, clientIp, requestId, decision, "request");

            if (streamed is not null)
            {
                // The client's framing (Content-Length or chunked) is kept: the stream yields exactly its bytes.
                ctx.Request.Body = streamed;
            }
            else if (bodyBytes is not null)
            {
                ctx.Request.Body = new MemoryStream(bodyBytes, 0, bodyLength, writable: false);
                ctx.Request.ContentLength ??= ctx.Request.Headers.TransferEncoding.Count > 0 ? null : bodyLength;
            }

            // 3. Addresses: the SSRF layer's, else (SSRF off, or an IP literal) resolve once here.
            var addresses = url.Addresses;
            if (addresses.Count == 0)
            {
                addresses = IPAddress.TryParse(host, out var literal) ? [literal]
                    : await _s.Resolver.ResolveAsync(host, ctx.RequestAborted).ConfigureAwait(false);
            }
            if (addresses.Count == 0)
            {
                await ProxyResponses.ErrorAsync(ctx, StatusCodes.Status502BadGateway, "could not resolve " + host).ConfigureAwait(false);
                return;
            }

            var transformer = new ScanningTransformer(_s, snap, targetUrl, addresses, requestId, clientIp, tunnel is not null, tunnel is { Transparent: true });
            var prefix = new Uri(targetUrl).GetLeftPart(UriPartial.Authority);
            var error = await _s.Forwarder.SendAsync(ctx, prefix, _s.Upstream.Invoker, RequestConfig, transformer).ConfigureAwait(false);
            if (streamed is not null && await StreamedBodyBlockedAsync(ctx, streamed, method, targetUrl, clientIp, requestId, started, tunnel is not null).ConfigureAwait(false))
                return;
            bool blocked = transformer.ResponseBlocked;
            RecordOutcome(blocked ? "blocked" : error == ForwarderError.None ? "allowed" : "error", started, blocked, !decision.Verdict.IsClean || transformer.ResponseWarned, transformer.BlockScanner);
            if (error != ForwarderError.None)
            {
                var ex = ctx.Features.Get<IForwarderErrorFeature>()?.Exception;
                _s.Log.Event("warn", "error", ("method", method), ("url", DecisionLogUrl(targetUrl)), ("client_ip", clientIp), ("request_id", requestId),
                    ("error", error.ToString()), ("detail", ex?.Message));
            }
            else if (!blocked && cfg.Logging.IncludeAllowed)
            {
                _s.Log.Event("info", "allowed", ("method", method), ("url", DecisionLogUrl(targetUrl)), ("client_ip", clientIp), ("request_id", requestId),
                    ("status", ctx.Response.StatusCode), ("duration_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        }
        finally
        {
            streamed?.Dispose();
            if (bodyBytes is not null) ArrayPool<byte>.Shared.Return(bodyBytes);
        }
    }

    /// <summary>
    /// After the forward of a streamed body: a finding stopped it mid-way (YARP saw the body read fail and abandoned the
    /// upstream request). Logged and counted like any request block; the client gets our 403 when no response byte has
    /// gone out yet, else its connection is cut. Non-blocking findings are logged once the body is through.
    /// </summary>
    private async Task<bool> StreamedBodyBlockedAsync(HttpContext ctx, ScanningRequestStream streamed, string method, string url, string clientIp, string requestId, long started, bool tls)
    {
        CountBodyHit(streamed.Verdict);
        if (streamed.Blocked is not { } decision)
        {
            if (!streamed.Verdict.IsClean)
                _s.Log.Decision("request_scan", method, url, clientIp, requestId, streamed.Decision, "request");
            return false;
        }
        if (ctx.Response.HasStarted)
        {
            RecordBlock(decision, method, url, clientIp, requestId, started, tls);
            ctx.Abort();
            return true;
        }
        ctx.Response.Clear();
        await BlockAsync(ctx, decision, method, url, clientIp, requestId, started, tls).ConfigureAwait(false);
        return true;
    }

    private void CountBodyHit(Verdict v)
    {
        if (!v.IsClean) _s.Metrics.BodyDlpHits.WithLabels(v.Action.ToWord(), "").Inc();
    }

    private static string DecisionLogUrl(string url) => Operations.DecisionLog.CutUrl(url);

    private async Task BlockAsync(HttpContext ctx, Decision decision, string method, string url, string clientIp, string requestId, long started, bool tls, int status = StatusCodes.Status403Forbidden)
    {
        RecordBlock(decision, method, url, clientIp, requestId, started, tls);
        await ProxyResponses.BlockedAsync(ctx, status, decision.Verdict, requestId).ConfigureAwait(false);
    }

    /// <summary>Log, metrics and stats of a blocked request, however the client is told.</summary>
    private void RecordBlock(Decision decision, string method, string url, string clientIp, string requestId, long started, bool tls)
    {
        _s.Log.Decision("blocked", method, url, clientIp, requestId, decision, "request");
        _s.Metrics.CountFindings(decision.Verdict);
        var scanner = decision.Verdict.Findings.IsEmpty ? null : decision.Verdict.Findings[0].Scanner;
        if (tls) _s.Metrics.TlsRequestBlocked.WithLabels(scanner ?? "unknown").Inc();
        RecordOutcome("blocked", started, true, false, scanner);
    }

    private void RecordOutcome(string result, long started, bool blocked, bool warned, string? scanner)
    {
        _s.Metrics.Requests.WithLabels(result, "").Inc();
        _s.Metrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _s.Stats.Request(blocked, warned, scanner);
    }

    private static bool RequestHasBody(HttpContext ctx) =>
        ctx.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? (ctx.Request.ContentLength > 0);
}
