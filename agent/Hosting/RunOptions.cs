using System.Net;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// What <c>pipelock run</c> was asked for on the command line. Listen addresses override the config; with no
/// <see cref="McpUpstream"/> there is no MCP listener.
/// </summary>
public sealed record RunOptions
{
    public string? ConfigPath { get; init; }
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8888);
    public IPEndPoint? McpListen { get; init; }
    public Uri? McpUpstream { get; init; }

    /// <summary>Parses <c>host:port</c>, <c>:port</c> (all interfaces) or <c>[v6]:port</c>; null with a reason when invalid.</summary>
    public static IPEndPoint? ParseEndPoint(string text, out string? error)
    {
        error = null;
        var s = text.Trim();
        if (s.StartsWith(':')) s = "0.0.0.0" + s;
        int colon = s.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(s.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
        {
            error = $"'{text}' is not host:port";
            return null;
        }
        var host = s[..colon].Trim('[', ']');
        if (host is "localhost") return new IPEndPoint(IPAddress.Loopback, port);
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        error = $"'{host}' in '{text}' is not an IP address (use 0.0.0.0, 127.0.0.1 or a literal address)";
        return null;
    }
}
