using Pipelock.Agent.Tests.Support;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Tests.Forward;

/// <summary>
/// The real <c>pipelock run</c> host in process, forward proxy on, in front of a small origin on loopback (allowed
/// through SSRF): GET /r/{name} serves a registered body; POST /upload records every byte it receives, and whether
/// the body arrived complete, then answers 200.
/// </summary>
public sealed class ForwardProxyHarness : IAsyncDisposable
{
    private readonly WebApplication _origin;
    private readonly CancellationTokenSource _stop;
    private readonly Task<int> _run;
    private readonly string _dir;

    private ForwardProxyHarness(WebApplication origin, Task<int> run, string dir, int forwardPort, CancellationTokenSource stop)
    {
        _stop = stop;
        _origin = origin;
        _run = run;
        _dir = dir;
        OriginUrl = origin.Urls.First().TrimEnd('/');
        Client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{forwardPort}"), UseProxy = true, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Bodies GET /r/{name} serves: bytes, content type, content encoding, and whether to send Content-Length.</summary>
    public ConcurrentDictionary<string, (byte[] Body, string? Encoding, bool Chunked)> Responses { get; } = new();

    /// <summary>What POST /upload received: the bytes that arrived and whether the body completed.</summary>
    public ConcurrentQueue<(byte[] Received, bool Complete)> Uploads { get; } = new();

    public string OriginUrl { get; }

    /// <summary>A client whose requests go through the proxy.</summary>
    public HttpClient Client { get; }

    public string LogPath => Path.Combine(_dir, "decisions.jsonl");

    public static async Task<ForwardProxyHarness> StartAsync(string yaml)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var origin = builder.Build();
        ForwardProxyHarness? self = null;
        origin.Run(ctx => self!.HandleAsync(ctx));
        await origin.StartAsync();

        var dir = Directory.CreateTempSubdirectory("pipelock-fwd-").FullName;
        var config = Path.Combine(dir, "pipelock.yaml");
        await File.WriteAllTextAsync(config,
            "logging:\n  format: json\n  output: file\n  file: " + Path.Combine(dir, "decisions.jsonl") + "\n  include_allowed: false\n" +
            "forward_proxy:\n  enabled: true\nssrf:\n  ip_allowlist: [\"127.0.0.0/8\"]\n" + yaml);
        int port = HarnessFiles.FreePort();
        var err = new StringWriter();
        var stop = new CancellationTokenSource();
        var options = new RunOptions { ConfigPath = config, Listen = new IPEndPoint(IPAddress.Loopback, port) };
        var run = Task.Run(() => AgentHost.RunAsync(options, err, cancellationToken: stop.Token));
        self = new ForwardProxyHarness(origin, run, dir, port, stop);
        using var probe = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (run.IsCompleted) throw new InvalidOperationException($"pipelock exited with {await run}: {err}");
            try
            {
                using var r = await probe.GetAsync($"http://127.0.0.1:{port}/health");
                if (r.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("pipelock did not answer /health: " + err);
            await Task.Delay(50);
        }
        return self;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path.StartsWithSegments("/r", out var rest) && Responses.TryGetValue(rest.Value!.TrimStart('/'), out var r))
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            if (r.Encoding is not null) ctx.Response.Headers.ContentEncoding = r.Encoding;
            if (!r.Chunked) ctx.Response.ContentLength = r.Body.Length;
            for (int i = 0; i < r.Body.Length; i += 16 * 1024)
            {
                await ctx.Response.Body.WriteAsync(r.Body.AsMemory(i, Math.Min(16 * 1024, r.Body.Length - i)));
                await ctx.Response.Body.FlushAsync();
            }
            return;
        }
        if (ctx.Request.Path == "/upload")
        {
            var received = new MemoryStream();
            var buf = new byte[16 * 1024];
            bool complete = false;
            try
            {
                int n;
                while ((n = await ctx.Request.Body.ReadAsync(buf)) > 0) received.Write(buf, 0, n);
                complete = true;
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
            {
                // The proxy cut the upload: record what arrived.
            }
            Uploads.Enqueue((received.ToArray(), complete));
            if (complete) await ctx.Response.WriteAsync("ok " + received.Length);
            return;
        }
        ctx.Response.StatusCode = 404;
    }

    /// <summary>Decision-log events of one type, waiting briefly for the background writer.</summary>
    public async Task<List<JsonElement>> LogEventsAsync(string eventName, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var found = (await HarnessFiles.ReadEventsAsync(LogPath)).Where(e => e.GetProperty("event").GetString() == eventName).ToList();
            if (found.Count >= atLeast || DateTime.UtcNow > deadline) return found;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Client.Dispose();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // Shutdown by cancellation.
        }
        await _origin.DisposeAsync();
        _stop.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // The log writer may still hold the file; the temp directory is disposable anyway.
        }
    }
}
