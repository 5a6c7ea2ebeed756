using System.CommandLine;
using System.Net;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>pipelock run [--config F] [--listen A] [--mcp-listen A --mcp-upstream URL]</c>: Sure's compose command line.
/// Without <c>--config</c> it runs on the built-in default (forward proxy on 127.0.0.1:8888, no MCP listener).
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Pipelock YAML config (default: built-in)" };
        var listen = new Option<string?>("--listen") { Description = "Forward-proxy listen address, default 127.0.0.1:8888" };
        var mcpListen = new Option<string?>("--mcp-listen") { Description = "MCP listener address, e.g. 0.0.0.0:8889 (needs --mcp-upstream)" };
        var mcpUpstream = new Option<string?>("--mcp-upstream") { Description = "MCP upstream URL, e.g. http://web:3000/mcp" };
        var cmd = new Command("run", "Run the proxy: forward proxy (HTTP, CONNECT) and, with --mcp-upstream, the MCP reverse proxy")
        {
            config, listen, mcpListen, mcpUpstream,
        };
        cmd.SetAction((parse, ct) =>
        {
            var options = new RunOptions { ConfigPath = parse.GetValue(config) };
            if (parse.GetValue(listen) is { } l)
            {
                var ep = RunOptions.ParseEndPoint(l, out var e);
                if (ep is null) return Fail(env, "--listen: " + e);
                options = options with { Listen = ep };
            }
            var upstreamText = parse.GetValue(mcpUpstream);
            var mcpListenText = parse.GetValue(mcpListen);
            if (upstreamText is not null)
            {
                if (!Uri.TryCreate(upstreamText, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
                    return Fail(env, $"--mcp-upstream: '{upstreamText}' is not an http(s) URL");
                var ep = RunOptions.ParseEndPoint(mcpListenText ?? "127.0.0.1:8889", out var e);
                if (ep is null) return Fail(env, "--mcp-listen: " + e);
                options = options with { McpUpstream = u, McpListen = ep };
            }
            else if (mcpListenText is not null)
            {
                return Fail(env, "--mcp-listen needs --mcp-upstream (the URL of the MCP server to protect)");
            }
            return AgentHost.RunAsync(options, env.Err, cancellationToken: ct);
        });
        return cmd;
    }

    private static Task<int> Fail(CliEnvironment env, string message)
    {
        env.Err.WriteLine("error: " + message);
        return Task.FromResult(ExitCodes.Error);
    }
}

/// <summary>
/// <c>pipelock healthcheck [--addr 127.0.0.1:8888]</c>: GET /health with a 3 s timeout; exit 0 when it answers 200
/// with status "healthy", 1 otherwise (Docker HEALTHCHECK contract).
/// </summary>
internal static class HealthcheckCommand
{
    public static Command Create(CliEnvironment env)
    {
        var addr = new Option<string?>("--addr") { Description = "Forward-proxy listener address, default 127.0.0.1:8888" };
        var cmd = new Command("healthcheck", "Probe a running instance's /health (exit 0 healthy, 1 otherwise)") { addr };
        cmd.SetAction(async (parse, ct) =>
        {
            var a = parse.GetValue(addr) ?? "127.0.0.1:8888";
            var ep = RunOptions.ParseEndPoint(a, out var error);
            if (ep is null)
            {
                env.Err.WriteLine("error: --addr: " + error);
                return ExitCodes.Error;
            }
            if (ep.Address.Equals(IPAddress.Any)) ep = new IPEndPoint(IPAddress.Loopback, ep.Port);
            if (ep.Address.Equals(IPAddress.IPv6Any)) ep = new IPEndPoint(IPAddress.IPv6Loopback, ep.Port);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                var url = new UriBuilder("http", ep.Address.ToString(), ep.Port, "/health").Uri;
                using var response = await http.GetAsync(url, ct).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                bool healthy = response.IsSuccessStatusCode && body.Contains("\"healthy\"", StringComparison.Ordinal);
                env.Out.WriteLine(healthy ? "healthy" : $"unhealthy: HTTP {(int)response.StatusCode}");
                return healthy ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                env.Out.WriteLine("unhealthy: " + e.Message);
                return 1;
            }
        });
        return cmd;
    }
}
