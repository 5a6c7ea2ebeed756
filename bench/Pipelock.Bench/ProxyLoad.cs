using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pipelock.Bench;

/// <summary>
/// Requests per second and added latency through the forward proxy, against the same client going direct, in the
/// same run. An in-process Kestrel upstream on loopback; the real `pipelock run` process in between. Bounded: each
/// phase runs for a fixed number of seconds with a fixed number of workers. Two request shapes: GET of a 1 KB text
/// response (response-scanned) and POST of a 2 KB JSON body (body-scanned).
/// </summary>
public static class ProxyLoad
{
    private static readonly byte[] ResponseBody = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(
        "Your account balance was updated after the monthly review; pending items may change before settlement. ", 10))[..1024]);
    private static readonly string PostJson = "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"" +
        string.Concat(Enumerable.Repeat("Summarise the grocery and rent spending of last quarter by category. ", 28)) + "\"}]}";

    public static async Task<int> RunAsync(string agentBinary, int seconds, int concurrency, string outFile)
    {
        seconds = Math.Clamp(seconds, 1, 120);
        concurrency = Math.Clamp(concurrency, 1, 256);
        await using var upstream = await StartUpstreamAsync().ConfigureAwait(false);
        int upstreamPort = new Uri(upstream.Urls.First()).Port;
        int proxyPort = FreePort();
        var config = Path.Combine(Path.GetTempPath(), $"pipelock-load-{Environment.ProcessId}.yaml");
        await File.WriteAllTextAsync(config, """
            version: 1
            forward_proxy:
              enabled: true
            ssrf:
              ip_allowlist: ["127.0.0.0/8"]
            fetch_proxy:
              monitoring:
                max_requests_per_minute: 0
            logging:
              include_allowed: false
            """).ConfigureAwait(false);
        using var agent = Process.Start(new ProcessStartInfo(agentBinary, ["run", "--config", config, "--listen", $"127.0.0.1:{proxyPort}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        agent.OutputDataReceived += (_, _) => { };
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            await WaitHealthyAsync(proxyPort).ConfigureAwait(false);
            var target = $"http://127.0.0.1:{upstreamPort}";
            var rows = new List<string>();
            foreach (var (name, post) in new[] { ("GET 1 KB text", false), ("POST 2 KB JSON", true) })
            {
                using var direct = Client(null);
                using var proxied = Client(new WebProxy($"http://127.0.0.1:{proxyPort}"));
                await PhaseAsync(direct, target, post, 2, concurrency).ConfigureAwait(false);   // warm-up
                await PhaseAsync(proxied, target, post, 2, concurrency).ConfigureAwait(false);
                var d = await PhaseAsync(direct, target, post, seconds, concurrency).ConfigureAwait(false);
                double cpuBefore = ProcessCpuSeconds(agent.Id);
                var p = await PhaseAsync(proxied, target, post, seconds, concurrency).ConfigureAwait(false);
                double agentCpuUs = (ProcessCpuSeconds(agent.Id) - cpuBefore) * 1e6 / Math.Max(1, p.Requests);
                rows.Add(Row(name, "direct", d, null, null));
                rows.Add(Row(name, "through pipelock", p, d, agentCpuUs));
            }
            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Forward proxy load ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {seconds} s per phase, {concurrency} concurrent keep-alive clients, loopback, HTTP/1.1; client, upstream and agent share the machine).");
            sb.AppendLine();
            sb.AppendLine("| request | path | requests/s | p50 ms | p90 ms | p99 ms | errors | throughput ratio | added p50 ms | agent CPU µs/request |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in rows) sb.AppendLine(r);
            await File.WriteAllTextAsync(outFile, sb.ToString()).ConfigureAwait(false);
            Console.Write(sb.ToString());
            return 0;
        }
        finally
        {
            if (!agent.HasExited) agent.Kill(entireProcessTree: true);
            File.Delete(config);
        }
    }

    private sealed record PhaseResult(long Requests, long Errors, double Seconds, double[] LatenciesMs);

    /// <summary>utime + stime of a process from /proc (clock ticks of 100 Hz on Linux).</summary>
    private static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string Row(string name, string path, PhaseResult r, PhaseResult? baseline, double? agentCpuUs)
    {
        Array.Sort(r.LatenciesMs);
        double P(double q) => r.LatenciesMs.Length == 0 ? double.NaN : r.LatenciesMs[(int)Math.Min(r.LatenciesMs.Length - 1, q * r.LatenciesMs.Length)];
        double rps = r.Requests / r.Seconds;
        string ratio = baseline is null ? "1.00" : (rps / (baseline.Requests / baseline.Seconds)).ToString("0.00", CultureInfo.InvariantCulture);
        string added = "";
        if (baseline is not null)
        {
            var b = baseline.LatenciesMs;
            added = (P(0.5) - b[b.Length / 2]).ToString("0.00", CultureInfo.InvariantCulture);
        }
        return string.Create(CultureInfo.InvariantCulture, $"| {name} | {path} | {rps:0} | {P(0.5):0.00} | {P(0.9):0.00} | {P(0.99):0.00} | {r.Errors} | {ratio} | {added} | {(agentCpuUs is { } c ? c.ToString("0", CultureInfo.InvariantCulture) : "")} |");
    }

    private static HttpClient Client(IWebProxy? proxy) => new(new SocketsHttpHandler
    {
        UseProxy = proxy is not null,
        Proxy = proxy,
        MaxConnectionsPerServer = 1024,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<PhaseResult> PhaseAsync(HttpClient client, string target, bool post, int seconds, int concurrency)
    {
        var stop = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        var latencies = new List<double>[concurrency];
        long errors = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async i =>
        {
            var mine = latencies[i] = new List<double>(4096);
            // Bounded in time and in count (at most one million requests per worker).
            for (int n = 0; n < 1_000_000 && stop.Elapsed < limit; n++)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var req = post
                        ? new HttpRequestMessage(HttpMethod.Post, target + "/echo") { Content = new StringContent(PostJson, Encoding.UTF8, "application/json") }
                        : new HttpRequestMessage(HttpMethod.Get, target + "/text");
                    using var resp = await client.SendAsync(req).ConfigureAwait(false);
                    await resp.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if (!resp.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref errors); }
                catch (TaskCanceledException) { Interlocked.Increment(ref errors); }
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var all = latencies.SelectMany(l => l).ToArray();
        return new PhaseResult(all.Length - errors, errors, stop.Elapsed.TotalSeconds, all);
    }

    private static async Task<WebApplication> StartUpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/text", (HttpContext c) =>
        {
            c.Response.ContentType = "text/plain; charset=utf-8";
            c.Response.ContentLength = ResponseBody.Length;
            return c.Response.Body.WriteAsync(ResponseBody).AsTask();
        });
        app.MapPost("/echo", async (HttpContext c) =>
        {
            using var ms = new MemoryStream();
            await c.Request.Body.CopyToAsync(ms).ConfigureAwait(false);
            c.Response.ContentType = "application/json";
            var body = Encoding.UTF8.GetBytes($"{{\"received\":{ms.Length}}}");
            c.Response.ContentLength = body.Length;
            await c.Response.Body.WriteAsync(body).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private static async Task WaitHealthyAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var r = await http.GetAsync($"http://127.0.0.1:{port}/health").ConfigureAwait(false);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200).ConfigureAwait(false);
        }
        throw new InvalidOperationException("agent did not become healthy within 20 s");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
