using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// YARP's hooks for one MCP POST. Request: the upstream URL exactly as configured (whatever path the client used),
/// Host from that URL (the app sees its own authority), the client's Authorization, Mcp-Session-Id and
/// MCP-Protocol-Version untouched, no Accept-Encoding (bodies must be readable to be scanned). Response: 4xx and
/// 1xx/3xx pass unchanged (a 401 keeps its WWW-Authenticate), 202/204 and empty bodies pass, 5xx becomes 502 with a
/// JSON-RPC error that does not carry the upstream's body; JSON bodies are read whole (≤ 10 MiB) and inspected as
/// one message, <c>text/event-stream</c> event by event, each clean event written and flushed at once.
/// </summary>
public sealed class McpForwardTransformer : HttpTransformer
{
    private readonly ProxyServices _s;
    private readonly Uri _upstream;
    private readonly McpExchange _x;
    private readonly McpMessageInspector _inspector;
    private readonly McpAudit _audit;
    private readonly McpSessions _sessions;

    public McpForwardTransformer(ProxyServices services, Uri upstream, McpExchange exchange, McpMessageInspector inspector, McpAudit audit, McpSessions sessions)
    {
        _sessions = sessions;
        _s = services;
        _upstream = upstream;
        _x = exchange;
        _inspector = inspector;
        _audit = audit;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = _upstream;
        // Direct forwarding copies the client's Host; the app must see the authority it is configured for.
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.AcceptEncoding.Clear();
        proxyRequest.Headers.Remove("Proxy-Connection");
        proxyRequest.Headers.Remove("Proxy-Authorization");
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is null) return true;
        int status = (int)proxyResponse.StatusCode;
        if (status is >= 200 and < 300 && proxyResponse.Headers.TryGetValues("Mcp-Session-Id", out var issued))
            foreach (var sid in issued) _sessions.Issued(sid.Trim());
        if (status >= 500)
        {
            _s.Log.Event("warn", "mcp_upstream_error", ("status", status), ("method", _x.Method), ("url", _x.UpstreamUrl),
                ("client_ip", _x.ClientIp), ("request_id", _x.RequestId));
            httpContext.Response.Headers.Clear();
            await McpReplies.ErrorAsync(httpContext, StatusCodes.Status502BadGateway, _x.IdRaw, McpReplies.UpstreamError,
                $"upstream error (HTTP {status})", _x.RequestId).ConfigureAwait(false);
            return false;
        }
        // Not a JSON-RPC answer (auth challenge, redirect, client error): the client sees the app's own reply.
        if (status is < 200 or >= 300 || status is 202 or 204 || proxyResponse.Content.Headers.ContentLength == 0) return true;

        if (proxyResponse.Content.Headers.ContentEncoding.Any(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            // We asked for identity; an encoded body we did not ask for is refused rather than passed unscanned.
            await RefuseAsync(httpContext, "Encoded Response", "upstream sent a content-encoded body", status).ConfigureAwait(false);
            return false;
        }

        var media = MediaType.Parse(proxyResponse.Content.Headers.ContentType?.ToString());
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, httpContext.RequestAborted);
        // The kill switch cuts a response in flight, unless this client is allowlisted.
        using var onTrip = _s.KillSwitch.Tripped.Register(() =>
        {
            if (_s.KillSwitchDenies(_x.ClientAddress)) TryCancel(cut);
        });
        try
        {
            if (media.Type == "text/event-stream") await RelaySseAsync(httpContext, proxyResponse, status, cut.Token).ConfigureAwait(false);
            else await RelayJsonAsync(httpContext, proxyResponse, status, cut.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_s.KillSwitch.IsActive && !httpContext.RequestAborted.IsCancellationRequested)
        {
            _audit.KillSwitch(_x, httpContext.Response.HasStarted ? "sse" : "http");
            if (httpContext.Response.HasStarted) httpContext.Abort();
            else
            {
                httpContext.Response.Headers.Clear();
                await McpReplies.ErrorAsync(httpContext, StatusCodes.Status200OK, _x.IdRaw, JsonRpcErrors.KillSwitch,
                    _x.Snapshot.Config.KillSwitch.Message, _x.RequestId, blocked: true).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !httpContext.RequestAborted.IsCancellationRequested)
        {
            _s.Log.Event("warn", "error", ("method", _x.Method), ("url", _x.UpstreamUrl), ("client_ip", _x.ClientIp), ("request_id", _x.RequestId),
                ("error", "upstream response read failed"), ("detail", e.Message));
            if (httpContext.Response.HasStarted) httpContext.Abort();
            else
            {
                httpContext.Response.Headers.Clear();
                await McpReplies.ErrorAsync(httpContext, StatusCodes.Status502BadGateway, _x.IdRaw, McpReplies.UpstreamError,
                    "upstream response could not be read", _x.RequestId).ConfigureAwait(false);
            }
        }
        return false;
    }

    private async Task RelayJsonAsync(HttpContext ctx, HttpResponseMessage response, int status, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var (buffer, length, tooLarge) = await BoundedBody.ReadAsync(stream, response.Content.Headers.ContentLength, JsonRpcLimits.DefaultMaxBytes, ct).ConfigureAwait(false);
        try
        {
            if (tooLarge)
            {
                await RefuseAsync(ctx, "Response Too Large", $"upstream message over {JsonRpcLimits.DefaultMaxBytes} bytes", status).ConfigureAwait(false);
                return;
            }
            if (length == 0)
            {
                ctx.Response.ContentLength = 0;
                return;
            }
            var outcome = _inspector.Inspect(_x, buffer.AsMemory(0, length), synthetic: false, status);
            switch (outcome.Action)
            {
                case McpServerAction.Pass:
                    ctx.Response.ContentLength = length;
                    await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
                    return;
                case McpServerAction.Replace:
                    ctx.Response.ContentType = "application/json";
                    ctx.Response.ContentLength = outcome.Bytes!.Length;
                    await ctx.Response.Body.WriteAsync(outcome.Bytes, ct).ConfigureAwait(false);
                    return;
                default:
                    // A body that is only a server notification (no answer to a notification exchange): nothing to send.
                    ctx.Response.StatusCode = StatusCodes.Status202Accepted;
                    ctx.Response.ContentLength = 0;
                    ctx.Response.Headers.ContentType = default;
                    return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RelaySseAsync(HttpContext ctx, HttpResponseMessage response, int status, CancellationToken ct)
    {
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        ctx.Response.Headers.ContentLength = default;
        var reader = new McpSseReader(JsonRpcLimits.DefaultMaxBytes);
        var events = new List<McpSseEvent>(4);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await ctx.Response.StartAsync(ct).ConfigureAwait(false);
            while (true)
            {
                int n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    // Trailing line ends go out; a partial event after the last blank line was never dispatched (a client ignores it too).
                    var tail = reader.Complete();
                    if (tail.Length > 0) await ctx.Response.Body.WriteAsync(tail, ct).ConfigureAwait(false);
                    return;
                }
                reader.Push(chunk.AsSpan(0, n), events);
                foreach (var e in events)
                {
                    byte[]? bytes = e.Data is null ? e.Raw : Inspect(e, status);
                    if (bytes is not null) await ctx.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
                }
                if (events.Count > 0) await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                events.Clear();
                if (reader.Oversize)
                {
                    // An event too large to hold cannot be scanned: end the stream, answering the request if still open.
                    var v = Verdict.Of(new Finding(ScannerNames.BodyParse, "Event Too Large", Severity.High, ScanAction.Block,
                        $"upstream event over {JsonRpcLimits.DefaultMaxBytes} bytes"));
                    _audit.Blocked(_x, "response", DecisionPolicy.Decide(v), status);
                    if (!_x.Answered && !_x.IsNotification)
                    {
                        _x.Answered = true;
                        var error = JsonRpcErrors.Build(_x.IdRaw, JsonRpcErrors.ContentBlocked, McpReplies.BlockMessage("upstream event too large", v), _x.RequestId);
                        await ctx.Response.Body.WriteAsync(McpSseReader.Format(new McpSseEvent([], null, null, null), error), ct).ConfigureAwait(false);
                        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    }
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>The bytes to send for one data event: its own when clean, a rewritten or replacing event, or null to drop it.</summary>
    private byte[]? Inspect(McpSseEvent e, int status)
    {
        var data = System.Text.Encoding.UTF8.GetBytes(e.Data!);
        var outcome = _inspector.Inspect(_x, data, synthetic: false, status);
        return outcome.Action switch
        {
            McpServerAction.Pass => e.Raw,
            McpServerAction.Replace => McpSseReader.Format(e, outcome.Bytes!),
            _ => null,
        };
    }

    private async Task RefuseAsync(HttpContext ctx, string rule, string evidence, int status)
    {
        var v = Verdict.Of(new Finding(ScannerNames.BodyParse, rule, Severity.High, ScanAction.Block, evidence));
        _audit.Blocked(_x, "response", DecisionPolicy.Decide(v), status);
        _x.Answered = true;
        ctx.Response.Headers.Clear();
        await McpReplies.ErrorAsync(ctx, StatusCodes.Status502BadGateway, _x.IdRaw, McpReplies.UpstreamError,
            McpReplies.BlockMessage("upstream response refused", v), _x.RequestId, blocked: true).ConfigureAwait(false);
    }

    private static void TryCancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The response already finished.
        }
    }
}
