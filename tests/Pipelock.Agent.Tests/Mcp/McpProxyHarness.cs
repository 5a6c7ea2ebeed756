using Pipelock.Agent.Tests.Support;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Tests.Mcp;

/// <summary>
/// The real <c>pipelock run --mcp-listen … --mcp-upstream …</c> host, in process, in front of a
/// <see cref="SureMcpEmulator"/>. The config is a YAML file (decision log to a file in a temp directory, so tests can
/// read it); the host is up once <c>/health</c> answers on the forward port.
/// </summary>
public sealed class McpProxyHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task<int> _run;
    private readonly string _dir;
    private readonly StringWriter _err;

    private McpProxyHarness(SureMcpEmulator upstream, string dir, Task<int> run, StringWriter err, int forwardPort, int mcpPort, CancellationTokenSource stop)
    {
        Upstream = upstream;
        _dir = dir;
        _run = run;
        _err = err;
        _stop = stop;
        Forward = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{forwardPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{mcpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public SureMcpEmulator Upstream { get; }

    /// <summary>The MCP listener.</summary>
    public HttpClient Client { get; }

    /// <summary>The forward listener (/health, /metrics, /stats).</summary>
    public HttpClient Forward { get; }

    public string LogPath => Path.Combine(_dir, "decisions.jsonl");

    /// <param name="yaml">Config sections on top of the logging section the harness adds.</param>
    public static async Task<McpProxyHarness> StartAsync(string yaml = "")
    {
        var upstream = await SureMcpEmulator.StartAsync();
        var dir = Directory.CreateTempSubdirectory("pipelock-mcp-").FullName;
        var config = Path.Combine(dir, "pipelock.yaml");
        await File.WriteAllTextAsync(config,
            "logging:\n  format: json\n  output: file\n  file: " + Path.Combine(dir, "decisions.jsonl") + "\n  include_allowed: false\n" + yaml);
        int forwardPort = HarnessFiles.FreePort(), mcpPort = HarnessFiles.FreePort();
        var err = new StringWriter();
        var stop = new CancellationTokenSource();
        var options = new RunOptions
        {
            ConfigPath = config,
            Listen = new IPEndPoint(IPAddress.Loopback, forwardPort),
            McpListen = new IPEndPoint(IPAddress.Loopback, mcpPort),
            McpUpstream = upstream.McpUrl,
        };
        var run = Task.Run(() => AgentHost.RunAsync(options, err, cancellationToken: stop.Token));
        var h = new McpProxyHarness(upstream, dir, run, err, forwardPort, mcpPort, stop);
        await h.WaitHealthyAsync();
        return h;
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_run.IsCompleted) throw new InvalidOperationException($"pipelock exited with {await _run}: {_err}");
            try
            {
                using var r = await Forward.GetAsync("health");
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("pipelock did not answer /health: " + _err);
    }

    /// <summary>POSTs one body to the MCP listener with the emulator's token (or <paramref name="token"/>; "" sends none).</summary>
    public async Task<HttpResponseMessage> PostAsync(string body, string? token = null, string path = "/", Action<HttpRequestMessage>? configure = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        token ??= Upstream.Token;
        if (token.Length > 0) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        configure?.Invoke(req);
        return await Client.SendAsync(req);
    }

    /// <summary>POSTs and parses the JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(string body, string? token = null)
    {
        using var r = await PostAsync(body, token);
        var text = await r.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (r.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>Sum of a counter's samples whose label text contains every fragment (e.g. <c>scanner="tool_drift"</c>).</summary>
    public async Task<double> MetricAsync(string name, params string[] labelFragments)
    {
        var text = await Forward.GetStringAsync("metrics");
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal)) continue;
            int space = line.LastIndexOf(' ');
            var labels = line[..space];
            if (labelFragments.All(f => labels.Contains(f, StringComparison.Ordinal)))
                sum += double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    /// <summary>
    /// The first decision-log event of one type that matches, waiting briefly for the background writer (the log is
    /// written off the request path); null when none appears.
    /// </summary>
    public async Task<JsonElement?> LogEventAsync(string eventName, Func<JsonElement, bool>? match = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            foreach (var e in await HarnessFiles.ReadEventsAsync(LogPath))
                if (e.GetProperty("event").GetString() == eventName && (match is null || match(e))) return e;
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(50);
        }
    }

    /// <summary>True when some event's findings include <paramref name="rule"/> of <paramref name="scanner"/>.</summary>
    public static bool HasFinding(JsonElement e, string scanner, string? rule = null) =>
        e.TryGetProperty("findings", out var fs) && fs.EnumerateArray().Any(f =>
            f.GetProperty("scanner").GetString() == scanner && (rule is null || f.GetProperty("rule").GetString() == rule));

    public async Task<string> LogTextAsync()
    {
        await Task.Delay(200);
        return await HarnessFiles.ReadTextAsync(LogPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // Shutdown by cancellation.
        }
        Client.Dispose();
        Forward.Dispose();
        _stop.Dispose();
        await Upstream.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // The log writer may still hold the file for a moment; the temp directory is disposable anyway.
        }
    }
}
