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
    /// <summary>The SSRF layer's resolver (cached); also used when SSRF is off and a name must still be resolved once.</summary>
    public required Scanners.Url.IHostResolver Resolver { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public TlsBumping? Tls { get; init; }
    /// <summary>The CA and its leaf cache when TLS interception is on (reloads swap the CA and flush the leaves).</summary>
    public Pipelock.Certs.LeafCertificateProvider? Certificates { get; init; }

    /// <summary>True when the kill switch denies this client (its address is not in <c>allowlist_ips</c>).</summary>
    /// <summary>The client address as logged: IPv4 peers of the dual-stack listeners without the ::ffff: prefix.</summary>
    public static string ClientIp(System.Net.IPAddress? address) =>
        address is null ? "" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    public bool KillSwitchDenies(System.Net.IPAddress? client) => KillSwitch.IsActive && !KillSwitchExempt(client);

    /// <summary>
    /// What long-lived work (tunnels, streams, in-flight requests) links into its reads: the kill switch's trip token,
    /// or none for a client on <c>kill_switch.allowlist_ips</c> (whose traffic the switch never stops).
    /// </summary>
    public CancellationToken KillSwitchTokenFor(System.Net.IPAddress? client) =>
        KillSwitchExempt(client) ? CancellationToken.None : KillSwitch.Tripped;

    /// <summary>
    /// Aborts a whole connection (requests in flight included) when the kill switch trips, unless its client is exempt.
    /// Dispose the registration when the connection's work ends.
    /// </summary>
    public CancellationTokenRegistration AbortOnKillSwitch(Microsoft.AspNetCore.Connections.ConnectionContext connection) =>
        KillSwitchTokenFor((connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address).Register(static c =>
            ((Microsoft.AspNetCore.Connections.ConnectionContext)c!).Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("kill switch active")), connection);

    /// <summary>Logs, counts and tallies a tunnel (CONNECT or transparent flow) refused by the URL layers.</summary>
    public void RecordBlockedTunnel(string url, string clientIp, string requestId, Pipelock.Scanners.Verdicts.Decision decision)
    {
        Log.Decision("blocked", "CONNECT", url, clientIp, requestId, decision, "request");
        Metrics.CountFindings(decision.Verdict);
        Metrics.Tunnels.WithLabels("blocked", "").Inc();
        Stats.Request(true, false, decision.Verdict.Findings[0].Scanner);
    }

    /// <summary>True when <paramref name="client"/> is on <c>kill_switch.allowlist_ips</c>.</summary>
    public bool KillSwitchExempt(System.Net.IPAddress? client)
    {
        var allow = State.Current.Config.KillSwitch.AllowlistIps;
        if (client is null || allow.Count == 0) return false;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var cidr in allow)
            if (System.Net.IPNetwork.TryParse(cidr, out var net) && net.Contains(client)) return true;
            else if (System.Net.IPAddress.TryParse(cidr, out var ip) && ip.Equals(client)) return true;
        return false;
    }
}
