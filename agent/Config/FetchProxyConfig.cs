namespace Pipelock.Agent.Config;

/// <summary><c>fetch_proxy</c>: the fetch endpoint and the URL scanner's thresholds (<c>monitoring</c>).</summary>
public sealed record FetchProxyConfig
{
    public string Listen { get; init; } = "127.0.0.1:8888";
    public int TimeoutSeconds { get; init; } = 30;
    public int MaxResponseMb { get; init; } = 10;
    public string UserAgent { get; init; } = "Pipelock Fetch/1.0";
    public MonitoringConfig Monitoring { get; init; } = new();
}
