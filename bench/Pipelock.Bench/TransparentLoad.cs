using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipelock.Bench;

/// <summary>
/// Transparent-interception load (bench/transparent-load.sh builds the namespaces and starts the processes). Two
/// halves: <see cref="RunUpstreamAsync"/> is the HTTPS origin in the server namespace; <see cref="RunClientAsync"/>
/// runs in the client namespace and measures each scenario direct (a port the agent's rules do not capture) and
/// through the agent (port 443, redirected to the agent) in the same run, over the same veths. Every phase is
/// bounded in time and count. Agent memory is read from /proc (one pid namespace for all network namespaces).
/// </summary>
public static class TransparentLoad
{
    private const string Sentence = "Your account balance was updated after the monthly review; pending items may change before settlement. ";
    private static readonly byte[] Text1K = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Sentence, 11))[..1024]);
    private static readonly byte[] Text1M = BuildText(1 << 20);

    /// <summary>64 KB of plain JSON (a chat request), so the agent's body DLP reads all of it.</summary>
    private static readonly byte[] PostJson = Encoding.UTF8.GetBytes("{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"" +
        string.Concat(Enumerable.Repeat("Summarise the grocery and rent spending of last quarter by category. ", 1000))[..(65536 - 80)] + "\"}]}");

    private static byte[] BuildText(int n)
    {
        // Numbered lines so the body is not one repeated block (a scanner could shortcut that).
        var sb = new StringBuilder(n + 256);
        for (int i = 0; sb.Length < n; i++) sb.Append(CultureInfo.InvariantCulture, $"{i:D6} {Sentence}\n");
        return Encoding.UTF8.GetBytes(sb.ToString()[..n]);
    }

    // ---------------------------------------------------------------- upstream (server namespace)

    /// <summary>Kestrel HTTPS on every given port until killed, at most <paramref name="maxSeconds"/>.</summary>
    public static async Task<int> RunUpstreamAsync(string certPem, string keyPem, IReadOnlyList<int> ports, int maxSeconds)
    {
        using var cert = X509Certificate2.CreateFromPemFile(certPem, keyPem);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 1 << 20;
            foreach (var p in ports)
                k.Listen(IPAddress.Any, p, o =>
                {
                    // TCP connections per port, for /stats: shows whether the agent reuses its upstream connections.
                    o.Use(next => ctx => { Connections.AddOrUpdate(p, 1, (_, n) => n + 1); return next(ctx); });
                    o.UseHttps(cert);
                });
        });
        var app = builder.Build();
        app.MapGet("/text", (HttpContext c) => Write(c, Text1K, "text/plain; charset=utf-8"));
        app.MapGet("/big", (HttpContext c) => Write(c, Text1M, "text/plain; charset=utf-8"));
        app.MapGet("/stats", (HttpContext c) => Write(c, Encoding.ASCII.GetBytes(string.Join(',', Connections.Select(kv => $"{kv.Key}:{kv.Value}"))), "text/plain"));
        app.MapPost("/echo", async (HttpContext c) =>
        {
            long n = 0;
            var buf = new byte[16384];
            int r;
            while ((r = await c.Request.Body.ReadAsync(buf).ConfigureAwait(false)) > 0) n += r;
            await Write(c, Encoding.UTF8.GetBytes($"{{\"received\":{n}}}"), "application/json").ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine("@@ready");
        // Until SIGTERM (the host's lifetime stops the app) or the bounded lifetime runs out.
        using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Clamp(maxSeconds, 10, 7200)));
        await app.WaitForShutdownAsync(lifetime.Token).ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> Connections = new();

    /// <summary>Connections the upstream has accepted on <paramref name="port"/> so far (its /stats, asked on the direct port).</summary>
    private static async Task<long> UpstreamConnectionsAsync(HttpClient c, string direct, int port)
    {
        var text = await c.GetStringAsync(direct + "/stats").ConfigureAwait(false);
        foreach (var part in text.Split(','))
            if (part.Split(':') is [var k, var v] && int.Parse(k, CultureInfo.InvariantCulture) == port) return long.Parse(v, CultureInfo.InvariantCulture);
        return 0;
    }

    private static Task Write(HttpContext c, byte[] body, string type)
    {
        c.Response.ContentType = type;
        c.Response.ContentLength = body.Length;
        return c.Response.Body.WriteAsync(body).AsTask();
    }

    // ---------------------------------------------------------------- client (client namespace)

    private sealed record PhaseResult(long Requests, long Errors, double Seconds, double[] LatenciesMs)
    {
        public double Rps => Requests / Seconds;
        public double P(double q) => LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[(int)Math.Min(LatenciesMs.Length - 1, q * LatenciesMs.Length)];
    }

    private enum Shape { Get1K, NewConn1K, Get1M, Post64K }

    private sealed record Scenario(string Name, Shape Shape, int Concurrency, double? Target);

    public static async Task<int> RunClientAsync(string host, int capturedPort, int directPort, string caBundle, int agentPid,
        int seconds, int concurrency, int idleConnections, string outFile, string note)
    {
        seconds = Math.Clamp(seconds, 1, 120);
        concurrency = Math.Clamp(concurrency, 1, 256);
        idleConnections = Math.Clamp(idleConnections, 1, 5000);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caBundle);
        long rssStart = StatusKb(agentPid, "VmRSS:") * 1024;
        var through = $"https://{host}:{capturedPort}";
        var direct = $"https://{host}:{directPort}";

        // Warm-up: JIT on both sides, the agent's leaf cache for this host, TLS session caches.
        using (var warm = Client(roots, newConnections: false))
        {
            foreach (var shape in Enum.GetValues<Shape>())
            {
                using var w = shape == Shape.NewConn1K ? Client(roots, newConnections: true) : null;
                await PhaseAsync(w ?? warm, direct, shape, 1, concurrency).ConfigureAwait(false);
                var t = await PhaseAsync(w ?? warm, through, shape, 1, concurrency).ConfigureAwait(false);
                if (t.Requests == 0) throw new InvalidOperationException($"warm-up {shape}: no request succeeded through the agent ({t.Errors} errors)");
            }
        }

        // Memory per idle connection before the load phases, while the agent's heap is still small (afterwards new
        // connections would reuse heap the load left free and look cheaper than they are).
        var (rssBefore, rssAfter, opened) = await IdleConnectionsAsync(host, capturedPort, roots, agentPid, idleConnections).ConfigureAwait(false);
        double perIdleKb = opened == 0 ? double.NaN : (rssAfter - rssBefore) / 1024.0 / opened;

        var scenarios = new[]
        {
            new Scenario("keep-alive GET 1 KB text", Shape.Get1K, concurrency, 0.4),
            new Scenario("new connection per GET 1 KB (leaf cache warm)", Shape.NewConn1K, concurrency, 0.4),
            new Scenario("GET 1 MB text (response scanning on)", Shape.Get1M, concurrency, 0.3),
            new Scenario("POST 64 KB JSON (body DLP on)", Shape.Post64K, concurrency, null),
            new Scenario("keep-alive GET 1 KB, 1 client (latency)", Shape.Get1K, 1, null),
        };
        var rows = new List<(Scenario S, PhaseResult D, PhaseResult T, double CpuUs, long HwmKb, double DConn, double TConn)>();
        using var stats = Client(roots, newConnections: false);
        foreach (var s in scenarios)
        {
            using var c = Client(roots, s.Shape == Shape.NewConn1K);
            long d0 = await UpstreamConnectionsAsync(stats, direct, directPort).ConfigureAwait(false);
            var d = await PhaseAsync(c, direct, s.Shape, seconds, s.Concurrency).ConfigureAwait(false);
            long t0 = await UpstreamConnectionsAsync(stats, direct, capturedPort).ConfigureAwait(false);
            double dConn = (await UpstreamConnectionsAsync(stats, direct, directPort).ConfigureAwait(false) - d0) / (double)Math.Max(1, d.Requests);
            double cpu0 = CpuSeconds(agentPid);
            var t = await PhaseAsync(c, through, s.Shape, seconds, s.Concurrency).ConfigureAwait(false);
            double cpuUs = (CpuSeconds(agentPid) - cpu0) * 1e6 / Math.Max(1, t.Requests);
            double tConn = (await UpstreamConnectionsAsync(stats, direct, capturedPort).ConfigureAwait(false) - t0) / (double)Math.Max(1, t.Requests);
            // VmHWM only grows: its value after each phase shows which scenario set the peak.
            rows.Add((s, d, t, cpuUs, StatusKb(agentPid, "VmHWM:"), dConn, tConn));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Name}: direct {d.Rps:0}/s, through {t.Rps:0}/s ({t.Rps / d.Rps:0.00})"));
        }
        long hwm = StatusKb(agentPid, "VmHWM:") * 1024;
        long rssEnd = StatusKb(agentPid, "VmRSS:") * 1024;

        var sb = new StringBuilder();
        var I = CultureInfo.InvariantCulture;
        sb.AppendLine(I, $"Transparent interception load ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores shared by client, upstream and agent; {seconds} s per phase; {concurrency} concurrent clients unless noted; HTTP/1.1 over TLS; client, agent (gateway mode) and Kestrel upstream in three network namespaces joined by veths).");
        sb.AppendLine();
        sb.AppendLine("Direct = the same client, namespaces and veths, to an upstream port the agent's rules do not capture; through = port 443, redirected to the agent, which bumps TLS, scans and re-originates verified TLS. Ratio = through / direct requests/s, both measured in this run.");
        if (note.Length > 0) { sb.AppendLine(); sb.AppendLine(note); }
        sb.AppendLine();
        sb.AppendLine("| scenario | direct req/s | through req/s | ratio | target | direct p50 / p90 / p99 ms | through p50 / p90 / p99 ms | added p50 ms | errors (d / t) | agent CPU µs/req | agent VmHWM after, MB | upstream connections per request (d / t) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        var verdicts = new List<string>();
        foreach (var (s, d, t, cpu, hwmKb, dConn, tConn) in rows)
        {
            double ratio = t.Rps / d.Rps;
            string target = s.Target is { } g ? string.Create(I, $">= {g:0.0}") : "";
            sb.AppendLine(I, $"| {s.Name} | {d.Rps:0} | {t.Rps:0} | {ratio:0.00} | {target} | {d.P(0.5):0.00} / {d.P(0.9):0.00} / {d.P(0.99):0.00} | {t.P(0.5):0.00} / {t.P(0.9):0.00} / {t.P(0.99):0.00} | {t.P(0.5) - d.P(0.5):0.00} | {d.Errors} / {t.Errors} | {cpu:0} | {hwmKb / 1024.0:0} | {dConn:0.000} / {tConn:0.000} |");
            if (s.Target is { } tg) verdicts.Add(string.Create(I, $"- {s.Name}: {ratio:0.00} x direct, target >= {tg:0.0}: **{(ratio >= tg ? "met" : "missed")}**"));
            if (s.Concurrency == 1)
            {
                double added = t.P(0.5) - d.P(0.5);
                verdicts.Add(string.Create(I, $"- added p50 latency (keep-alive 1 KB GET, one client, so no queueing on the 2 cores): {added:0.00} ms, target <= 0.5 ms: **{(added <= 0.5 ? "met" : "missed")}**"));
            }
        }
        sb.AppendLine();
        sb.AppendLine("| agent memory | value | target |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(I, $"| RSS after start, before any traffic | {rssStart / 1048576.0:0.0} MB | |");
        sb.AppendLine(I, $"| peak RSS (VmHWM, whole run) | {hwm / 1048576.0:0.0} MB | <= 150 MB |");
        sb.AppendLine(I, $"| RSS at the end | {rssEnd / 1048576.0:0.0} MB | |");
        sb.AppendLine(I, $"| per idle keep-alive TLS connection ({opened} opened through the agent, RSS {rssBefore / 1048576.0:0.0} -> {rssAfter / 1048576.0:0.0} MB) | {perIdleKb:0.0} KB | <= 64 KB |");
        verdicts.Add(string.Create(I, $"- peak RSS under load: {hwm / 1048576.0:0.0} MB, target <= 150 MB: **{(hwm <= 150L * 1048576 ? "met" : "missed")}**"));
        verdicts.Add(string.Create(I, $"- memory per idle connection: {perIdleKb:0.0} KB (the agent's growth per open, idle, bumped client connection; the GETs were sequential, so upstream connections may be pooled and shared), target <= 64 KB: **{(perIdleKb <= 64 ? "met" : "missed")}**"));
        sb.AppendLine();
        sb.AppendLine("Targets (issue #4):");
        sb.AppendLine();
        foreach (var v in verdicts) sb.AppendLine(v);
        await File.WriteAllTextAsync(outFile, sb.ToString()).ConfigureAwait(false);
        Console.Write(sb.ToString());
        return 0;
    }

    private static HttpClient Client(X509Certificate2Collection roots, bool newConnections) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = 1024,
        // Zero: a connection is never returned to the pool (each request also says Connection: close).
        PooledConnectionLifetime = newConnections ? TimeSpan.Zero : TimeSpan.FromMinutes(10),
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, errors) => Trusted(roots, cert, errors) },
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Leaves already verified, by SHA-256 thumbprint: a chain build per handshake would make the client, not the
    /// paths under test, the bottleneck of the new-connection phase (every connection presents the same leaf).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Verified = new(StringComparer.Ordinal);

    /// <summary>Only the agent's CA and the run's throwaway CA: neither is in the system store.</summary>
    private static bool Trusted(X509Certificate2Collection roots, X509Certificate? cert, SslPolicyErrors errors)
    {
        if (cert is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0
            && Verified.ContainsKey(Convert.ToHexString(cert.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)))) return true;
        if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            if (Interlocked.Increment(ref _errorsShown) <= 3) Console.Error.WriteLine($"certificate rejected: {errors}");
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var c2 = new X509Certificate2(cert);
        if (chain.Build(c2))
        {
            Verified[Convert.ToHexString(c2.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))] = true;
            return true;
        }
        if (Interlocked.Increment(ref _errorsShown) <= 3)
            Console.Error.WriteLine($"untrusted {c2.Subject} ({errors}): " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        return false;
    }

    private static HttpRequestMessage Request(string baseUrl, Shape shape) => shape switch
    {
        Shape.Post64K => new HttpRequestMessage(HttpMethod.Post, baseUrl + "/echo") { Content = new ByteArrayContent(PostJson) { Headers = { { "Content-Type", "application/json" } } } },
        Shape.Get1M => new HttpRequestMessage(HttpMethod.Get, baseUrl + "/big"),
        Shape.NewConn1K => new HttpRequestMessage(HttpMethod.Get, baseUrl + "/text") { Headers = { ConnectionClose = true } },
        _ => new HttpRequestMessage(HttpMethod.Get, baseUrl + "/text"),
    };

    private static int _errorsShown;

    /// <summary>The first few failures go to stderr, so a broken setup says why instead of only counting.</summary>
    private static void Fail(ref long errors, string what)
    {
        Interlocked.Increment(ref errors);
        if (Interlocked.Increment(ref _errorsShown) <= 3) Console.Error.WriteLine("request failed: " + what);
    }

    private static async Task<PhaseResult> PhaseAsync(HttpClient client, string baseUrl, Shape shape, int seconds, int concurrency)
    {
        var stop = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        var latencies = new List<double>[concurrency];
        long errors = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async i =>
        {
            var mine = latencies[i] = new List<double>(4096);
            var sink = new byte[65536];
            // Bounded in time and in count (at most 200 000 requests per worker).
            for (int n = 0; n < 200_000 && stop.Elapsed < limit; n++)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var req = Request(baseUrl, shape);
                    using var resp = await client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                    await using var body = await resp.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    while (await body.ReadAsync(sink).ConfigureAwait(false) > 0) { }
                    if (!resp.IsSuccessStatusCode) { Fail(ref errors, $"{baseUrl} {shape}: HTTP {(int)resp.StatusCode}"); continue; }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Fail(ref errors, $"{baseUrl} {shape}: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                    continue;
                }
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new PhaseResult(all.Length, errors, stop.Elapsed.TotalSeconds, all);
    }

    /// <summary>
    /// Opens <paramref name="count"/> TLS connections through the agent, one GET each, then leaves them idle and
    /// reads the agent's RSS. Raw SslStreams: a pool would not hold that many open for one host without traffic.
    /// </summary>
    private static async Task<(long Before, long After, int Opened)> IdleConnectionsAsync(string host, int port, X509Certificate2Collection roots, int agentPid, int count)
    {
        await Task.Delay(2000).ConfigureAwait(false);
        long before = StatusKb(agentPid, "VmRSS:") * 1024;
        var open = new List<(TcpClient Tcp, SslStream Ssl)>(count);
        var request = Encoding.ASCII.GetBytes($"GET /text HTTP/1.1\r\nHost: {host}\r\n\r\n");
        var buf = new byte[8192];
        var deadline = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < count && deadline.Elapsed < TimeSpan.FromSeconds(120); i++)
            {
                var tcp = new TcpClient();
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await tcp.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
                    var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, errors) => Trusted(roots, cert, errors));
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host, ApplicationProtocols = [SslApplicationProtocol.Http11] }, cts.Token).ConfigureAwait(false);
                    await ssl.WriteAsync(request, cts.Token).ConfigureAwait(false);
                    // Read until the 1 KB body has arrived (headers + 1024 bytes; the agent's response is not chunked for a sized body).
                    int got = 0;
                    var text = new StringBuilder();
                    while (true)
                    {
                        int r = await ssl.ReadAsync(buf, cts.Token).ConfigureAwait(false);
                        if (r == 0) throw new IOException("closed");
                        got += r;
                        text.Append(Encoding.ASCII.GetString(buf, 0, r));
                        int h = text.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                        if (h >= 0 && got - (h + 4) >= 1024) break;
                    }
                    open.Add((tcp, ssl));
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    tcp.Dispose();
                    Console.Error.WriteLine($"idle connection {i}: {e.Message}");
                }
            }
            await Task.Delay(3000).ConfigureAwait(false);
            long after = StatusKb(agentPid, "VmRSS:") * 1024;
            return (before, after, open.Count);
        }
        finally
        {
            foreach (var (tcp, ssl) in open) { ssl.Dispose(); tcp.Dispose(); }
        }
    }

    private static long StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        return 0;
    }

    /// <summary>utime + stime from /proc (100 Hz clock ticks on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
