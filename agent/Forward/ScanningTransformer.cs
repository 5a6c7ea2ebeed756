using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Pipelock.Agent.Config;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Forward;

/// <summary>
/// YARP's request/response hooks for one forwarded request. Request: the exact target the client asked for, its
/// own Host header, no X-Forwarded-* (YARP's plain transformer adds none), proxy-only headers dropped, and the
/// checked addresses attached for the connect callback. Response: textual bodies are scanned for prompt injection
/// (buffered, compressed bodies decoded for scanning only) and answered per <c>response_scanning.action</c>;
/// <c>text/event-stream</c> goes through <see cref="SseRelay"/> event by event; anything else streams untouched.
/// </summary>
public sealed class ScanningTransformer : HttpTransformer
{
    private readonly ProxyServices _s;
    private readonly RuntimeSnapshot _snap;
    private readonly string _target;
    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly string _requestId;
    private readonly string _clientIp;
    private readonly bool _tls;
    private readonly bool _transparent;

    public ScanningTransformer(ProxyServices services, RuntimeSnapshot snapshot, string target, IReadOnlyList<IPAddress> addresses, string requestId, string clientIp, bool tls, bool transparent = false)
    {
        _transparent = transparent;
        _s = services;
        _snap = snapshot;
        _target = target;
        _addresses = addresses;
        _requestId = requestId;
        _clientIp = clientIp;
        _tls = tls;
    }

    public bool ResponseBlocked { get; private set; }
    public bool ResponseWarned { get; private set; }
    public string? BlockScanner { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var target = new Uri(_target);
        // Transparent flows address the original destination by IP: SocketsHttpHandler then takes the TLS server name
        // (SNI and certificate check) from the Host header and keys its pool on (IP, port, name), so two clients
        // sending one name to different addresses never share a connection (reference §4.5).
        proxyRequest.RequestUri = _transparent && _addresses.Count > 0
            ? new UriBuilder(target) { Host = _addresses[0].ToString() }.Uri
            : target;
        // Keep the client's Host byte for byte (YARP would otherwise take it from the destination URI).
        var host = httpContext.Request.Headers.Host.ToString();
        if (host.Length > 0) proxyRequest.Headers.Host = host;
        else if (_transparent) proxyRequest.Headers.Host = target.Authority;
        proxyRequest.Headers.Remove("Proxy-Connection");
        proxyRequest.Headers.Remove("Proxy-Authorization");
        proxyRequest.Options.Set(UpstreamClient.CheckedAddresses, _addresses);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is null) return true;
        StripHttp3Advertisements(httpContext.Response.Headers);
        var cfg = _snap.Config.ResponseScanning;
        if (!cfg.Enabled || IsExempt()) return true;
        if (httpContext.Request.Method == HttpMethods.Head || proxyResponse.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified) return true;

        var media = MediaType.Parse(proxyResponse.Content.Headers.ContentType?.ToString());
        if (media.Type == "text/event-stream")
        {
            if (!cfg.SseStreaming.Enabled) return true;
            var relay = new SseRelay(_s, _snap, _target, _requestId, _clientIp);
            await relay.RunAsync(httpContext, proxyResponse).ConfigureAwait(false);
            ResponseBlocked = relay.Blocked;
            ResponseWarned = relay.Warned;
            if (relay.Blocked) BlockScanner = ScannerNames.ResponseScan;
            return false;
        }
        if (!IsTextual(media)) return true;
        await ScanBufferedAsync(httpContext, proxyResponse).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Removes HTTP/3 from Alt-Svc: a client that learns h3 would move to QUIC (UDP/443), which the interception
    /// rules reject; with no advertisement it never tries (reference pitfall 11).
    /// </summary>
    private static void StripHttp3Advertisements(IHeaderDictionary headers)
    {
        var altSvc = headers.AltSvc;
        if (altSvc.Count == 0) return;
        var kept = new List<string>();
        foreach (var value in altSvc)
        {
            if (value is null) continue;
            var entries = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(e => !e.StartsWith("h3", StringComparison.OrdinalIgnoreCase) && !e.StartsWith("quic", StringComparison.OrdinalIgnoreCase));
            var joined = string.Join(", ", entries);
            if (joined.Length > 0) kept.Add(joined);
        }
        if (kept.Count == 0) headers.Remove("Alt-Svc");
        else headers.AltSvc = kept.ToArray();
    }

    private bool IsExempt() => !_snap.ResponseExempt.IsEmpty && _snap.ResponseExempt.Matches(new Uri(_target).IdnHost);

    /// <summary>Types that carry text a model may read. Unknown or missing types are scanned too (fail closed).</summary>
    private static bool IsTextual(MediaType media) =>
        media.Type.Length == 0 || media.Type.StartsWith("text/", StringComparison.Ordinal) || media.IsJson
        || media.Type.EndsWith("+xml", StringComparison.Ordinal) || media.Type is "application/xml" or "application/javascript"
            or "application/x-javascript" or "application/x-ndjson" or "application/jsonl" or "application/x-www-form-urlencoded";

    private async Task ScanBufferedAsync(HttpContext ctx, HttpResponseMessage response)
    {
        var engine = _snap.Engine;
        long limit = _snap.Config.TlsInterception.MaxResponseBytes;
        await using var upstreamBody = await response.Content.ReadAsStreamAsync(ctx.RequestAborted).ConfigureAwait(false);
        var (buffer, length, tooLarge) = await BoundedBody.ReadAsync(upstreamBody, response.Content.Headers.ContentLength, limit, ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            string? encoding = response.Content.Headers.ContentEncoding.Count > 0 ? string.Join(",", response.Content.Headers.ContentEncoding) : null;
            if (tooLarge && _snap.Config.ResponseScanning.Oversize == OversizeMode.Stream)
            {
                // A content-encoded body is not streamed: where its compressed stream ends cannot be proven as it
                // flows, and bytes after the end would reach the client unscanned. Refused, as it is in block mode.
                if (ContentDecodingStream.HasCoding(encoding))
                    await FailUndecodableAsync(ctx, response, "content-encoded response over max_response_bytes: not streamed").ConfigureAwait(false);
                else
                    await StreamAsync(ctx, response, upstreamBody, buffer.AsMemory(0, length)).ConfigureAwait(false);
                return;
            }

            Verdict verdict;
            if (tooLarge)
            {
                verdict = Verdict.Of(new Finding(ScannerNames.BodyParse, "Response Too Large", Severity.High, ScanAction.Block, $"response over {limit} bytes", 0));
            }
            else
            {
                // Window by window (pooled buffers, no whole-body string): a multi-megabyte response must not put
                // several body-sized copies on the Large Object Heap.
                var windows = engine.Injection.BeginWindows();
                verdict = WindowedBody.Scan(buffer.AsMemory(0, length), encoding, limit, windows) is { } error
                    ? Verdict.Of(new Finding(ScannerNames.BodyParse, "Undecodable Response", Severity.High, ScanAction.Block, error, 0))
                    : windows.Verdict;
            }

            var decision = DecisionPolicy.Decide(verdict, engine.Options.Enforce);
            _s.Metrics.CountFindings(verdict);
            switch (decision.Outcome)
            {
                case Outcome.Block:
                    await BlockAsync(ctx, response, verdict, decision).ConfigureAwait(false);
                    return;
                case Outcome.Strip:
                    // Rare: only now is the whole text built, because redaction rewrites it.
                    string? text = ContentDecoder.TryDecode(encoding, buffer.AsMemory(0, length), limit, out var decoded, out _)
                        ? Encoding.UTF8.GetString(decoded.Span) : null;
                    if (text is null)
                    {
                        await BlockAsync(ctx, response, verdict, decision).ConfigureAwait(false);
                        return;
                    }
                    // Strip gives null when it cannot rewrite what it found (a leet/vowel-fold/decoded hit, or a text
                    // past its window): block then, never pass the original text on.
                    if (engine.Injection.Strip(text) is not { } redacted)
                    {
                        await BlockAsync(ctx, response, verdict, decision).ConfigureAwait(false);
                        return;
                    }
                    ResponseWarned = true;
                    _s.Log.Decision("response_scan", ctx.Request.Method, _target, _clientIp, _requestId, decision, "response", (int)response.StatusCode);
                    var stripped = Encoding.UTF8.GetBytes(redacted);
                    ctx.Response.Headers.ContentEncoding = default;
                    ctx.Response.Headers.ETag = default;
                    ctx.Response.ContentLength = stripped.Length;
                    await ctx.Response.Body.WriteAsync(stripped, ctx.RequestAborted).ConfigureAwait(false);
                    return;
                default:
                    if (!verdict.IsClean)
                    {
                        ResponseWarned = true;
                        _s.Log.Decision("response_scan", ctx.Request.Method, _target, _clientIp, _requestId, decision, "response", (int)response.StatusCode);
                    }
                    // The origin's bytes, unchanged (still compressed if they were).
                    ctx.Response.ContentLength = length;
                    await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, length), ctx.RequestAborted).ConfigureAwait(false);
                    return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task BlockAsync(HttpContext ctx, HttpResponseMessage response, Verdict verdict, Decision decision)
    {
        RecordBlock(ctx, response, verdict, decision);
        ctx.Response.Headers.Clear();
        await ProxyResponses.BlockedAsync(ctx, StatusCodes.Status403Forbidden, verdict, _requestId).ConfigureAwait(false);
    }

    private void RecordBlock(HttpContext ctx, HttpResponseMessage response, Verdict verdict, Decision decision)
    {
        ResponseBlocked = true;
        BlockScanner = verdict.Findings.IsEmpty ? ScannerNames.ResponseScan : verdict.Findings[0].Scanner;
        if (_tls) _s.Metrics.TlsResponseBlocked.WithLabels(BlockScanner).Inc();
        _s.Log.Decision("blocked", ctx.Request.Method, _target, _clientIp, _requestId, decision, "response", (int)response.StatusCode);
    }

    /// <summary>
    /// <c>oversize: stream</c>: a response over <c>max_response_bytes</c> (identity coding), scanned in windows as it
    /// flows; each window's bytes go to the client only once scanned, less the overlap tail, so a phrase on a seam is
    /// never partly sent before it is seen. A blocking finding stops it (<see cref="StoppedAsync"/>): the client sees
    /// our 403 or a failed, truncated response, never the rest. Memory is one window, whatever the size.
    /// </summary>
    private async Task StreamAsync(HttpContext ctx, HttpResponseMessage response, Stream upstream, ReadOnlyMemory<byte> prefix)
    {
        var engine = _snap.Engine;
        var windows = engine.Injection.BeginWindows();
        using var text = new Utf8TextWindows();
        var ct = ctx.RequestAborted;
        bool done = false;
        while (!done)
        {
            while (!text.IsFull)
            {
                if (!prefix.IsEmpty)
                {
                    prefix = prefix[text.Write(prefix.Span)..];
                    continue;
                }
                int n = await upstream.ReadAsync(text.Free, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    done = true;
                    break;
                }
                text.Advance(n);
            }
            int final = text.Scan(windows, done);
            if (await StoppedAsync(ctx, response, windows).ConfigureAwait(false)) return;
            if (final > 0) await ctx.Response.Body.WriteAsync(text.Buffered[..final], ct).ConfigureAwait(false);
            text.Release();
        }
        LogStreamed(ctx, response, windows);
    }

    /// <summary>A streamed body that cannot be decoded fails closed: 403 if nothing went out yet, else the connection is cut.</summary>
    private async Task FailUndecodableAsync(HttpContext ctx, HttpResponseMessage response, string reason)
    {
        var verdict = Verdict.Of(new Finding(ScannerNames.BodyParse, "Undecodable Response", Severity.High, ScanAction.Block, reason, 0));
        var decision = DecisionPolicy.Decide(verdict, _snap.Engine.Options.Enforce);
        _s.Metrics.CountFindings(verdict);
        if (!ctx.Response.HasStarted)
        {
            await BlockAsync(ctx, response, verdict, decision).ConfigureAwait(false);
            return;
        }
        RecordBlock(ctx, response, verdict, decision);
        ctx.Abort();
    }

    /// <summary>
    /// After each streamed window: a blocking finding (strip too: a stream cannot be rewritten) before any byte went
    /// out is answered with our 403 page; after, the client connection is aborted so it never gets the rest.
    /// </summary>
    private async Task<bool> StoppedAsync(HttpContext ctx, HttpResponseMessage response, InjectionWindows windows)
    {
        if (!windows.HasFindings) return false;
        var verdict = windows.Verdict;
        var decision = DecisionPolicy.Decide(verdict, _snap.Engine.Options.Enforce);
        if (decision.Outcome is not (Outcome.Block or Outcome.Strip)) return false;
        _s.Metrics.CountFindings(verdict);
        if (!ctx.Response.HasStarted)
        {
            await BlockAsync(ctx, response, verdict, decision).ConfigureAwait(false);
            return true;
        }
        RecordBlock(ctx, response, verdict, decision);
        ctx.Abort();
        return true;
    }

    /// <summary>A streamed body that went through: counted, and logged when it had non-blocking findings.</summary>
    private void LogStreamed(HttpContext ctx, HttpResponseMessage response, InjectionWindows windows)
    {
        var end = windows.Verdict;
        _s.Metrics.CountFindings(end);
        if (end.IsClean) return;
        ResponseWarned = true;
        _s.Log.Decision("response_scan", ctx.Request.Method, _target, _clientIp, _requestId, DecisionPolicy.Decide(end, _snap.Engine.Options.Enforce), "response", (int)response.StatusCode);
    }
}
