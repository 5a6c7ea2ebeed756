using Pipelock.Agent.Forward;
using Pipelock.Agent.Operations;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// The long-lived services every listener shares, built once by <see cref="AgentHost"/>. The scanning rules are not
/// here: each request takes a <see cref="RuntimeSnapshot"/> from <see cref="State"/>.
/// </summary>
public sealed class ProxyServices
{
    public required RuntimeStateHolder State { get; init; }
    public required KillSwitch KillSwitch { get; init; }
    public required DecisionLog Log { get; init; }
    public required ProxyMetrics Metrics { get; init; }
    public required ProxyStats Stats { get; init; }
    public required UpstreamClient Upstream { get; init; }
    public required IHttpForwarder Forwarder { get; init; }
    public required TimeProvider Time { get; init; }
    public required string Version { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public TlsBumping? Tls { get; init; }

    /// <summary>True when the kill switch denies this client (its address is not in <c>allowlist_ips</c>).</summary>
    public bool KillSwitchDenies(System.Net.IPAddress? client)
    {
        if (!KillSwitch.IsActive) return false;
        var allow = State.Current.Config.KillSwitch.AllowlistIps;
        if (client is null || allow.Count == 0) return true;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var cidr in allow)
            if (System.Net.IPNetwork.TryParse(cidr, out var net) && net.Contains(client)) return false;
            else if (System.Net.IPAddress.TryParse(cidr, out var ip) && ip.Equals(client)) return false;
        return true;
    }
}
