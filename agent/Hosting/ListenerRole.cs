namespace Pipelock.Agent.Hosting;

/// <summary>Which listener a connection arrived on; set as a connection feature by each endpoint's middleware.</summary>
public enum ListenerKind
{
    Forward,
    Mcp,
    Api,
    /// <summary><c>metrics_listen</c>: /metrics, /health and /stats only.</summary>
    Metrics,
    /// <summary>transparent.listen_port: flows redirected by nftables (REDIRECT or TPROXY).</summary>
    Transparent,
}

public sealed record ListenerRole(ListenerKind Kind);
