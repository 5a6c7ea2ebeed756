using System.Buffers;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Forward;

/// <summary>
/// Relays a <c>text/event-stream</c> response event by event: each complete event is scanned (alone and in the
/// cross-event window of <see cref="SseEventScanner"/>) and written and flushed at once when clean, so the client's
/// first byte never waits for the stream's end. A detection acted on per <c>sse_streaming.action</c> ends the
/// stream fail-closed with a final <c>pipelock_blocked</c> event; the kill switch cuts it at the read in progress.
/// A compressed stream is decompressed on the fly (events cannot be scanned otherwise) and sent decoded.
/// </summary>
public sealed class SseRelay
{
    private readonly ProxyServices _s;
    private readonly RuntimeSnapshot _snap;
    private readonly string _target;
    private readonly string _requestId;
    private readonly string _clientIp;

    public SseRelay(ProxyServices services, RuntimeSnapshot snapshot, string target, string requestId, string clientIp)
    {
        _s = services;
        _snap = snapshot;
        _target = target;
        _requestId = requestId;
        _clientIp = clientIp;
    }

    public bool Blocked { get; private set; }
    public bool Warned { get; private set; }

    public async Task RunAsync(HttpContext ctx, HttpResponseMessage response)
    {
        var sse = _snap.Config.ResponseScanning.SseStreaming;
        var engine = _snap.Engine;
        var scanner = new SseEventScanner(engine.Injection, null, new SseOptions { MaxEventBytes = sse.MaxEventBytes, OversizeAction = sse.Action });
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        string? encoding = response.Content.Headers.ContentEncoding.Count > 0 ? string.Join(",", response.Content.Headers.ContentEncoding).ToLowerInvariant() : null;
        ctx.Response.Headers.ContentLength = default;
        if (encoding is not null) ctx.Response.Headers.ContentEncoding = default;

        using var cut = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _s.KillSwitchTokenFor(ctx.Connection.RemoteIpAddress));
        var ct = cut.Token;
        Stream upstream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        upstream = encoding switch
        {
            null or "identity" => upstream,
            "gzip" or "x-gzip" => new GZipStream(upstream, CompressionMode.Decompress),
            "deflate" => new ZLibStream(upstream, CompressionMode.Decompress),
            "br" => new BrotliStream(upstream, CompressionMode.Decompress),
            _ => throw new InvalidDataException("unsupported content-encoding on an event stream: " + encoding),
        };
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await using (upstream.ConfigureAwait(false))
            {
                await ctx.Response.StartAsync(ct).ConfigureAwait(false);
                while (true)
                {
                    int n = await upstream.ReadAsync(buffer, ct).ConfigureAwait(false);
                    var results = n == 0 ? scanner.Complete() : scanner.Push(buffer.AsSpan(0, n));
                    foreach (var r in results)
                    {
                        if (!await HandleEventAsync(ctx, r, sse.Action, engine.Options.Enforce, ct).ConfigureAwait(false)) return;
                    }
                    if (results.Count > 0) await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    if (n == 0) return;
                }
            }
        }
        catch (OperationCanceledException) when (_s.KillSwitch.IsActive && !ctx.RequestAborted.IsCancellationRequested)
        {
            _s.Log.Event("warn", "kill_switch_deny", ("transport", "sse"), ("url", Operations.DecisionLog.CutUrl(_target)), ("client_ip", _clientIp), ("request_id", _requestId));
            _s.Metrics.KillSwitchDenials.WithLabels("sse", "forward").Inc();
            ctx.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes a clean (or warned) event; returns false after ending a blocked stream.</summary>
    private async Task<bool> HandleEventAsync(HttpContext ctx, SseScanResult r, ScanAction streamAction, bool enforce, CancellationToken ct)
    {
        if (!r.Verdict.IsClean)
        {
            // In a stream the sse_streaming action governs injection findings (there is no buffered body to strip).
            var acted = Verdict.Of(r.Verdict.Findings.Select(f => f.Informational ? f : f with { Action = ScanActions.Stricter(f.Action, streamAction) }));
            var decision = DecisionPolicy.Decide(acted, enforce);
            _s.Metrics.CountFindings(acted);
            if (decision.Blocked || decision.Outcome == Outcome.Strip)
            {
                Blocked = true;
                _s.Log.Decision("blocked", ctx.Request.Method, _target, _clientIp, _requestId, decision, "response_stream");
                var first = acted.Findings[0];
                var end = Encoding.UTF8.GetBytes($"event: pipelock_blocked\ndata: {{\"error\":\"blocked by pipelock\",\"scanner\":\"{first.Scanner}\",\"reason\":\"{first.Rule.Replace("\"", "'")}\",\"request_id\":\"{_requestId}\"}}\n\n");
                await ctx.Response.Body.WriteAsync(end, ct).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                return false;
            }
            Warned = true;
            _s.Log.Decision("response_scan", ctx.Request.Method, _target, _clientIp, _requestId, decision, "response_stream");
        }
        await ctx.Response.Body.WriteAsync(r.Raw, ct).ConfigureAwait(false);
        return true;
    }
}
