using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// The MCP reverse proxy on the MCP listener (<c>run --mcp-listen A --mcp-upstream URL</c>, catalogue §3.1), in front
/// of an app's POST-only JSON-RPC endpoint such as Sure's <c>/mcp</c>. POST at <c>/</c> or at the upstream's own path
/// is one message: body ≤ 10 MiB (fail closed) → kill switch → JSON-RPC validation (no batches) → content scan →
/// tool policy (redirect runs the profile's handler) → session binding → chain detection → forwarded with YARP through
/// a dedicated client → the answer inspected per message (<see cref="McpMessageInspector"/>). GET/DELETE answer 405
/// with <c>Allow: POST</c> (the app's 404 is fatal to strict MCP clients); <c>GET /health</c> is the proxy's health.
/// Blocks are JSON-RPC errors with HTTP 200 and the request's id, so MCP clients show the reason; a blocked
/// notification is dropped with 202. The upstream is the operator's own (usually an internal address), so the URL
/// scanner's SSRF check does not apply to it.
/// </summary>
public sealed class McpProxyHandler : IDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        // Tool calls may run long (imports, reports); the client's own disconnect still ends the exchange.
        ActivityTimeout = TimeSpan.FromMinutes(5),
    };

    private readonly ProxyServices _s;
    private readonly Uri _upstream;
    private readonly string _upstreamUrl;
    private readonly string _upstreamPath;
    private readonly string _prefix;
    private readonly HttpMessageInvoker _invoker;
    private readonly McpSessions _sessions = new();
    private readonly OperationsEndpoints _ops;
    private readonly McpAudit _audit;
    private readonly McpMessageInspector _inspector;

    public McpProxyHandler(ProxyServices services, Uri upstream)
    {
        _s = services;
        _upstream = upstream;
        _upstreamUrl = upstream.ToString();
        _upstreamPath = upstream.AbsolutePath.Length == 0 ? "/" : upstream.AbsolutePath;
        _prefix = upstream.GetLeftPart(UriPartial.Authority);
        _ops = new OperationsEndpoints(services);
        _audit = new McpAudit(services);
        _inspector = new McpMessageInspector(services, _audit);
        // Our own client, not the forward proxy's: that one dials only SSRF-checked addresses, and this upstream is
        // an internal address by design. No proxy, no redirects, no decompression, no cookies.
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ActivityHeadersPropagator = null,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                // System roots plus tls_interception.upstream_ca_file, as for every upstream.
                RemoteCertificateValidationCallback = services.Upstream.Validate,
            },
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        // Counted when the answer starts (before the client can read it), or at the end if it never started.
        var counted = new StrongBox();
        ctx.Response.OnStarting(() =>
        {
            Count(ctx, counted);
            return Task.CompletedTask;
        });
        try
        {
            await HandleCoreAsync(ctx).ConfigureAwait(false);
        }
        finally
        {
            Count(ctx, counted);
        }
    }

    private void Count(HttpContext ctx, StrongBox counted)
    {
        if (Interlocked.Exchange(ref counted.Value, 1) != 0) return;
        var m = ctx.Request.Method;
        var method = HttpMethods.IsPost(m) ? "POST" : HttpMethods.IsGet(m) ? "GET" : HttpMethods.IsDelete(m) ? "DELETE" : "other";
        _s.Metrics.ReverseProxyRequests.WithLabels(method, ctx.Response.StatusCode.ToString(CultureInfo.InvariantCulture)).Inc();
    }

    private async Task HandleCoreAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var path = request.Path.Value is { Length: > 0 } p ? p : "/";
        if (path == "/health" && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            if (!_s.State.Current.Config.KillSwitch.HealthExempt && _s.KillSwitchDenies(ctx.Connection.RemoteIpAddress))
            {
                await ProxyResponses.KillSwitchAsync(ctx, _s.State.Current.Config.KillSwitch.Message).ConfigureAwait(false);
                return;
            }
            await ProxyResponses.JsonAsync(ctx, StatusCodes.Status200OK, _ops.Health()).ConfigureAwait(false);
            return;
        }
        if (path != "/" && path != _upstreamPath)
        {
            await ProxyResponses.ErrorAsync(ctx, StatusCodes.Status404NotFound, "not found: POST MCP JSON-RPC to / or " + _upstreamPath).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            // Streamable HTTP clients probe GET for a server stream and stop on 405; the app's 404 would be fatal to them.
            ctx.Response.Headers.Allow = "POST";
            await ProxyResponses.ErrorAsync(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed: this MCP endpoint takes POST only").ConfigureAwait(false);
            return;
        }

        byte[] buffer;
        int length;
        bool tooLarge;
        try
        {
            (buffer, length, tooLarge) = await BoundedBody.ReadAsync(request.Body, request.ContentLength, JsonRpcLimits.DefaultMaxBytes, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away or sent a broken body: there is no one to answer.
            ctx.Abort();
            return;
        }
        JsonRpcMessage? msg = null;
        try
        {
            var parsed = tooLarge || length == 0 ? null : JsonRpcMessage.Parse(buffer.AsMemory(0, length));
            msg = parsed?.Message;
            var snap = _s.State.Current;
            var clientIp = ProxyServices.ClientIp(ctx.Connection.RemoteIpAddress);
            var idRaw = msg is null ? parsed?.Error?.IdRaw : msg.IsNotification ? null : msg.IdRaw;
            var sessionKey = _sessions.KeyFor(request.Headers["Mcp-Session-Id"].ToString(), request.Headers.Authorization.ToString(), clientIp);
            var x = new McpExchange
            {
                Snapshot = snap,
                RequestId = _s.Log.NextRequestId(),
                ClientIp = clientIp,
                ClientAddress = ctx.Connection.RemoteIpAddress,
                SessionKey = sessionKey,
                UpstreamUrl = _upstreamUrl,
                Method = McpExchange.SafeMethod(msg?.Method),
                IdRaw = idRaw,
                Tracker = _sessions.TrackerFor(sessionKey),
            };

            if (_s.KillSwitchDenies(x.ClientAddress))
            {
                _audit.KillSwitch(x, "http");
                if (msg?.IsNotification == true) await McpReplies.AcceptedAsync(ctx).ConfigureAwait(false);
                else await McpReplies.ErrorAsync(ctx, StatusCodes.Status200OK, x.IdRaw, JsonRpcErrors.KillSwitch, snap.Config.KillSwitch.Message, x.RequestId, blocked: true).ConfigureAwait(false);
                return;
            }
            if (msg is null)
            {
                await RefuseInvalidAsync(ctx, x, tooLarge, length, parsed?.Error).ConfigureAwait(false);
                return;
            }
            if (msg.IsResponse)
            {
                // Sure's endpoint never asks the client anything, so a client-sent response is not a valid message here.
                await RefuseInvalidAsync(ctx, x, false, length, new JsonRpcParseError(JsonRpcFailure.BadShape, JsonRpcErrors.InvalidRequest,
                    "Invalid Request: expected a request or notification", msg.IdRaw)).ConfigureAwait(false);
                return;
            }
            if (msg.IsRequest && msg.IdRaw == "null")
            {
                // MCP forbids a null request id: its response could not be told from an answer to an unreadable message.
                await RefuseInvalidAsync(ctx, x, false, length, new JsonRpcParseError(JsonRpcFailure.BadId, JsonRpcErrors.InvalidRequest,
                    "Invalid Request: id must not be null")).ConfigureAwait(false);
                return;
            }

            var gates = McpRequestGates.Run(x, msg, _upstream.IdnHost, _s.Metrics);
            if (gates.Decision.Blocked)
            {
                _audit.Blocked(x, "request", gates.Decision);
                if (x.IsNotification) await McpReplies.AcceptedAsync(ctx).ConfigureAwait(false);
                else await McpReplies.ErrorAsync(ctx, StatusCodes.Status200OK, x.IdRaw, gates.ErrorCode, McpReplies.BlockMessage(GateText(gates.Gate), gates.Decision.Verdict), x.RequestId, blocked: true).ConfigureAwait(false);
                return;
            }
            if (gates.Decision.Outcome == Outcome.Redirect)
            {
                await RedirectAsync(ctx, x, msg, gates).ConfigureAwait(false);
                return;
            }
            _audit.Passed(x, "request", gates.Decision);
            msg.Dispose();
            msg = null;
            await ForwardAsync(ctx, x, buffer, length).ConfigureAwait(false);
        }
        finally
        {
            msg?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task ForwardAsync(HttpContext ctx, McpExchange x, byte[] buffer, int length)
    {
        if (x.IdRaw is not null) x.Tracker.Track(x.IdRaw);
        try
        {
            // The scanned bytes are what goes upstream, with an exact length (a chunked client body is re-framed).
            ctx.Request.Body = new MemoryStream(buffer, 0, length, writable: false);
            ctx.Request.Headers.Remove("Transfer-Encoding");
            ctx.Request.ContentLength = length;
            var transformer = new McpForwardTransformer(_s, _upstream, x, _inspector, _audit, _sessions);
            var error = await _s.Forwarder.SendAsync(ctx, _prefix, _invoker, RequestConfig, transformer).ConfigureAwait(false);
            if (error == ForwarderError.None) return;
            var ex = ctx.Features.Get<IForwarderErrorFeature>()?.Exception;
            _s.Log.Event("warn", "error", ("method", x.Method), ("url", x.UpstreamUrl), ("client_ip", x.ClientIp), ("request_id", x.RequestId),
                ("error", error.ToString()), ("detail", ex?.Message));
            if (ctx.Response.HasStarted || ctx.RequestAborted.IsCancellationRequested) return;
            ctx.Response.Headers.Clear();
            var status = error == ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
            if (x.IsNotification) ctx.Response.StatusCode = status;
            else await McpReplies.ErrorAsync(ctx, status, x.IdRaw, McpReplies.UpstreamError, "upstream unavailable", x.RequestId).ConfigureAwait(false);
        }
        finally
        {
            // An exchange that ended without an answer leaves nothing pending for a later forged response to claim.
            if (x.IdRaw is not null && !x.Answered) x.Tracker.TryConsume(x.IdRaw);
        }
    }

    private async Task RefuseInvalidAsync(HttpContext ctx, McpExchange x, bool tooLarge, int length, JsonRpcParseError? error)
    {
        int status;
        int code;
        string message;
        if (tooLarge)
        {
            (status, code, message) = (StatusCodes.Status413PayloadTooLarge, JsonRpcErrors.InvalidRequest, $"message over {JsonRpcLimits.DefaultMaxBytes} bytes");
        }
        else if (length == 0)
        {
            (status, code, message) = (StatusCodes.Status400BadRequest, JsonRpcErrors.InvalidRequest, "Invalid Request: empty body");
        }
        else
        {
            (status, code, message) = (StatusCodes.Status400BadRequest, error!.Code, error.Message);
        }
        _audit.Blocked(x, "request", DecisionPolicy.Decide(McpInputScanner.InvalidMessage(message)), status);
        await McpReplies.ErrorAsync(ctx, status, x.IdRaw, code, message, x.RequestId, blocked: true).ConfigureAwait(false);
    }

    private async Task RedirectAsync(HttpContext ctx, McpExchange x, JsonRpcMessage msg, McpGateResult gates)
    {
        var policy = gates.Policy!;
        string args = msg.Params is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("arguments", out var a) ? a.GetRawText() : "{}";
        McpRedirectRun run;
        if (x.IsNotification) run = new McpRedirectRun(false, "", "a notification cannot be redirected (no one reads its result)", null);
        else if (policy.RedirectProfile is null) run = new McpRedirectRun(false, "", $"redirect profile \"{policy.RedirectProfileName}\" is not configured", null);
        else run = await McpRedirect.RunAsync(policy.RedirectProfile, args, ctx.RequestAborted).ConfigureAwait(false);

        if (!run.Ok)
        {
            var failed = Verdict.Combine(gates.Decision.Verdict, Verdict.Of(new Finding(ScannerNames.ToolPolicy, "Redirect Failed", Severity.High, ScanAction.Block,
                Redaction.Excerpt(run.Failure ?? "handler failed", 120))));
            _audit.Blocked(x, "request", new Decision(Outcome.Block, failed));
            if (x.IsNotification) await McpReplies.AcceptedAsync(ctx).ConfigureAwait(false);
            else await McpReplies.ErrorAsync(ctx, StatusCodes.Status200OK, x.IdRaw, JsonRpcErrors.PolicyBlocked, McpReplies.BlockMessage("tool call redirected and the handler failed", gates.Decision.Verdict), x.RequestId, blocked: true).ConfigureAwait(false);
            return;
        }
        _audit.Redirected(x, gates.Decision, policy.RedirectProfileName, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(args))));

        // The handler's output is what the model will read: it is a response like any other.
        var wrapped = McpRedirect.Wrap(x.IdRaw, run.Output);
        var outcome = _inspector.Inspect(x, wrapped, synthetic: true, status: null);
        x.Answered = true;
        if (outcome.Action == McpServerAction.Drop)
        {
            await McpReplies.ErrorAsync(ctx, StatusCodes.Status200OK, x.IdRaw, JsonRpcErrors.ContentBlocked, "blocked by pipelock: redirect result refused", x.RequestId, blocked: true).ConfigureAwait(false);
            return;
        }
        ctx.Response.Headers["X-Pipelock-Redirected"] = "true";
        await McpReplies.JsonAsync(ctx, StatusCodes.Status200OK, outcome.Bytes ?? wrapped).ConfigureAwait(false);
    }

    private static string GateText(string gate) => gate switch
    {
        "content" => "content scan",
        "policy" => "tool policy",
        "binding" => "session binding",
        "chain" => "tool chain",
        _ => gate,
    };

    public void Dispose() => _invoker.Dispose();

    private sealed class StrongBox
    {
        public int Value;
    }
}
