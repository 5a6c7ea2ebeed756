namespace Pipelock.Agent.Config;

/// <summary><c>fetch_proxy.monitoring</c>: URL length, entropy, rate and budget limits plus the domain blocklist.</summary>
public sealed record MonitoringConfig
{
    public static readonly ValueList<string> DefaultBlocklist = ValueList<string>.Of(
        "*.pastebin.com", "*.hastebin.com", "*.paste.ee", "*.transfer.sh", "*.file.io", "*.requestbin.com");

    public int MaxUrlLength { get; init; } = 2048;
    public double EntropyThreshold { get; init; } = 4.5;
    public double SubdomainEntropyThreshold { get; init; } = 4.0;
    public int MaxRequestsPerMinute { get; init; } = 60;
    /// <summary>Bytes per minute per registrable domain; 0 = off.</summary>
    public long MaxDataPerMinute { get; init; }
    public ValueList<string> Blocklist { get; init; } = DefaultBlocklist;
    public ValueList<string> SubdomainEntropyExclusions { get; init; } = ValueList<string>.Empty;
}
