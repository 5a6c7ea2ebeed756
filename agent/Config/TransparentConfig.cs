namespace Pipelock.Agent.Config;

/// <summary>
/// <c>transparent</c> (appliance extension, not a Pipelock key): redirect selected traffic into the proxy without
/// client proxy settings. <see cref="Mode"/> local (this host's processes, selected by uid/gid/cgroup) or gateway
/// (forwarded traffic on <see cref="Interfaces"/>); <see cref="FailMode"/> closed drops traffic when the proxy is
/// down, open lets it through.
/// </summary>
public sealed record TransparentConfig
{
    public bool Enabled { get; init; }
    public string Mode { get; init; } = "local";
    public ValueList<int> Ports { get; init; } = ValueList<int>.Of(80, 443);
    public ValueList<int> Uids { get; init; } = ValueList<int>.Empty;
    public ValueList<int> Gids { get; init; } = ValueList<int>.Empty;
    public ValueList<string> Cgroups { get; init; } = ValueList<string>.Empty;
    public ValueList<string> Interfaces { get; init; } = ValueList<string>.Empty;
    public ValueList<string> ExcludeCidrs { get; init; } = ValueList<string>.Empty;
    public int ListenPort { get; init; } = 15001;
    public string FailMode { get; init; } = "closed";
    /// <summary>
    /// Intercepted traffic that is neither TLS nor HTTP (SSH or SMTP on 443, or nothing sent within the peek timeout):
    /// "block" (default, fail closed) or "splice" (relayed unscanned to its original destination).
    /// </summary>
    public string UnknownProtocol { get; init; } = "block";
}
