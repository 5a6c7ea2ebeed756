namespace Pipelock.Agent.Config;

/// <summary><c>reverse_proxy</c>: scanning reverse proxy in front of one upstream (restart-only keys).</summary>
public sealed record ReverseProxyConfig
{
    public bool Enabled { get; init; }
    public string Listen { get; init; } = "";
    public string Upstream { get; init; } = "";
}
