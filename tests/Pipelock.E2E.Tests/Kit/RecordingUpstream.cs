using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>One request as the upstream saw it (after any proxy in between).</summary>
public sealed record RecordedRequest(
    long Seq,
    DateTime ReceivedAtUtc,
    string Method,
    string PathAndQuery,
    string Protocol,
    string Scheme,
    string? TlsServerName,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[] Body)
{
    public string Path => PathAndQuery.Split('?', 2)[0];

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>All values of a header (case-insensitive), joined by ", "; null when absent.</summary>
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }
}

/// <summary>One /sse response: when each event was produced (UTC, taken just before its bytes were written and flushed).</summary>
public sealed class SseStreamRecord(long requestSeq)
{
    private readonly RecordList<DateTime> _writes = new();

    public long RequestSeq { get; } = requestSeq;

    public IReadOnlyList<DateTime> EventWrittenAtUtc => _writes.Snapshot();

    internal void Written(DateTime at) => _writes.Add(at);

    /// <summary>Waits (bounded) until event <paramref name="n"/> (1-based) has been written, and returns when it was.</summary>
    public Task<DateTime> WaitForEventAsync(int n, TimeSpan timeout) => _writes.WaitForAsync(_ => true, timeout, skip: n - 1);
}

/// <summary>
/// An upstream of the test's own: Kestrel on 127.0.0.1 (random port), HTTP or HTTPS with a <see cref="TestPki"/> leaf,
/// recording every request it receives. Built-ins: <c>/echo</c>, <c>/sse?n=&amp;delayMs=</c>, <c>/gzip?body=</c>;
/// <see cref="Map"/> adds or replaces a path at any time (also after start). Anything else answers 404.
/// </summary>
public sealed class RecordingUpstream : IAsyncDisposable
{
    private const string SniKey = "pipelock.e2e.sni";

    private readonly WebApplication _app;
    private readonly RecordList<RecordedRequest> _requests = new();
    private readonly RecordList<SseStreamRecord> _sse = new();
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.OrdinalIgnoreCase);
    private long _seq;

    private RecordingUpstream(WebApplication app, bool https)
    {
        _app = app;
        IsHttps = https;
    }

    public bool IsHttps { get; }

    public int Port { get; private set; }

    /// <summary>http(s)://127.0.0.1:port/</summary>
    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.Snapshot();

    public IReadOnlyList<SseStreamRecord> SseStreams => _sse.Snapshot();

    /// <summary>
    /// Starts the server. With <paramref name="certificate"/> it speaks HTTPS only (ALPN offers h2 and http/1.1 unless
    /// <paramref name="protocols"/> narrows it; clients without ALPN, like Ruby's, get HTTP/1.1).
    /// </summary>
    public static async Task<RecordingUpstream> StartAsync(X509Certificate2? certificate = null, HttpProtocols? protocols = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols ?? (certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            // The selector sees the ClientHello's SNI (null without one); kept per connection so requests can report it.
            if (certificate is not null)
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (connection, name) =>
                    {
                        if (connection is not null) connection.Items[SniKey] = string.IsNullOrEmpty(name) ? null : name;
                        return certificate;
                    },
                });
        }));
        var app = builder.Build();
        var upstream = new RecordingUpstream(app, certificate is not null);
        app.Run(upstream.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.Port = new Uri(address).Port;
        upstream.BaseUri = new Uri($"{(upstream.IsHttps ? "https" : "http")}://127.0.0.1:{upstream.Port}/");
        return upstream;
    }

    /// <summary>The same server addressed by another name, e.g. https://upstream.test:port/path (the name must be in the certificate).</summary>
    public Uri UriFor(string host, string pathAndQuery = "/") =>
        new($"{(IsHttps ? "https" : "http")}://{host}:{Port}{(pathAndQuery.StartsWith('/') ? "" : "/")}{pathAndQuery}");

    /// <summary>Routes an exact path (case-insensitive, query ignored) to <paramref name="handler"/>; replaces a built-in or earlier mapping.</summary>
    public void Map(string path, Func<HttpContext, Task> handler) => _routes[Normalize(path)] = handler;

    /// <summary>Routes a path to a fixed response.</summary>
    public void Map(string path, int status, string body, string contentType = "text/plain; charset=utf-8") =>
        Map(path, ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = contentType;
            return ctx.Response.WriteAsync(body);
        });

    /// <summary>Routes a path to <paramref name="body"/> sent gzip-compressed (Content-Encoding: gzip) whatever the client accepts.</summary>
    public void MapGzip(string path, string body, string contentType = "text/plain; charset=utf-8") =>
        Map(path, ctx => WriteGzipAsync(ctx, Encoding.UTF8.GetBytes(body), contentType));

    /// <summary>Writes <paramref name="body"/> gzip-compressed with Content-Encoding and Content-Length set.</summary>
    public static async Task WriteGzipAsync(HttpContext ctx, byte[] body, string contentType, int status = 200)
    {
        var compressed = Gzip(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers.ContentEncoding = "gzip";
        ctx.Response.Headers.Vary = "Accept-Encoding";
        ctx.Response.ContentLength = compressed.Length;
        await ctx.Response.Body.WriteAsync(compressed).ConfigureAwait(false);
    }

    public static byte[] Gzip(byte[] body)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(body);
        return ms.ToArray();
    }

    /// <summary>First recorded request (earlier ones included) matching <paramref name="match"/>.</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan timeout) =>
        _requests.WaitForAsync(match, timeout, describe: () => "recorded: " + string.Join(", ", Requests.Select(r => r.Method + " " + r.PathAndQuery)));

    /// <summary>Waits (bounded) for the <paramref name="index"/>-th (0-based) /sse response to begin.</summary>
    public Task<SseStreamRecord> WaitForSseStreamAsync(TimeSpan timeout, int index = 0) => _sse.WaitForAsync(_ => true, timeout, skip: index);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        using var body = new MemoryStream();
        await req.Body.CopyToAsync(body, ctx.RequestAborted).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var h in req.Headers)
            foreach (var v in h.Value)
                headers.Add(new(h.Key, v ?? ""));
        var recorded = new RecordedRequest(
            Interlocked.Increment(ref _seq), DateTime.UtcNow, req.Method, req.Path + req.QueryString, req.Protocol, req.Scheme,
            ctx.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(SniKey, out var sni) == true ? sni as string : null,
            headers, body.ToArray());
        _requests.Add(recorded);
        body.Position = 0;
        req.Body = body; // handlers may read the body again

        if (_routes.TryGetValue(Normalize(req.Path), out var handler)) { await handler(ctx).ConfigureAwait(false); return; }
        switch (Normalize(req.Path))
        {
            case "/echo": await EchoAsync(ctx, recorded).ConfigureAwait(false); return;
            case "/sse": await SseAsync(ctx, recorded).ConfigureAwait(false); return;
            case "/gzip":
                await WriteGzipAsync(ctx, Encoding.UTF8.GetBytes(req.Query["body"].FirstOrDefault() ?? "gzip body from the recording upstream\n"),
                    "text/plain; charset=utf-8").ConfigureAwait(false);
                return;
            default:
                ctx.Response.StatusCode = 404;
                await ctx.Response.WriteAsync("not found\n").ConfigureAwait(false);
                return;
        }
    }

    private static Task EchoAsync(HttpContext ctx, RecordedRequest r)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["method"] = r.Method,
            ["path"] = r.Path,
            ["query"] = ctx.Request.QueryString.Value ?? "",
            ["protocol"] = r.Protocol,
            ["headers"] = r.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key.ToLowerInvariant(), g => g.Select(h => h.Value).ToArray()),
            ["bodyLength"] = r.Body.Length,
            ["bodySha256"] = Convert.ToHexStringLower(SHA256.HashData(r.Body)),
        });
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(json);
    }

    private async Task SseAsync(HttpContext ctx, RecordedRequest r)
    {
        var n = int.TryParse(ctx.Request.Query["n"], out var nv) ? Math.Clamp(nv, 0, 100_000) : 20;
        var delay = int.TryParse(ctx.Request.Query["delayMs"], out var dv) ? Math.Clamp(dv, 0, 60_000) : 100;
        var record = new SseStreamRecord(r.Seq);
        _sse.Add(record);
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            for (var i = 1; i <= n; i++)
            {
                if (i > 1) await Task.Delay(delay, ctx.RequestAborted).ConfigureAwait(false);
                record.Written(DateTime.UtcNow);
                await ctx.Response.WriteAsync($"data: event {i}\n\n", ctx.RequestAborted).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { } // client went away (or the server is stopping)
    }

    private static string Normalize(string? path) => string.IsNullOrEmpty(path) ? "/" : path.TrimEnd('/') is { Length: > 0 } p ? p : "/";
}
