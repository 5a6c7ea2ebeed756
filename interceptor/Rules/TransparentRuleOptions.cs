namespace Pipelock.Interceptor.Rules;

/// <summary>Which traffic the rules capture.</summary>
public enum TransparentRuleMode
{
    /// <summary>This host's own processes (nat OUTPUT REDIRECT), optionally only some uids, gids or cgroups.</summary>
    Local,

    /// <summary>Traffic forwarded from <see cref="TransparentRuleOptions.Interfaces"/> (mangle PREROUTING TPROXY).</summary>
    Gateway,
}

/// <summary>
/// What happens to captured traffic when the agent is not listening. <see cref="Closed"/>: the rules stay installed
/// when the agent stops and captured connections fail (refused/reset): no unscanned egress. <see cref="Open"/>: the
/// caller removes the rules when the agent stops (<see cref="TransparentRules.RemoveAsync"/>), and gateway mode
/// omits its fail-closed reset so a crashed agent lets forwarded traffic through.
/// </summary>
public enum TransparentFailMode
{
    Closed,
    Open,
}

/// <summary>
/// The narrow input of the rule renderers; the agent maps its <c>transparent</c> config section onto it.
/// Uids, gids and cgroups select local-mode traffic (any of them matches; none given = every local process);
/// interfaces select gateway-mode traffic. Loopback and this host's own addresses are always excluded.
/// </summary>
public sealed record TransparentRuleOptions
{
    public TransparentRuleMode Mode { get; init; } = TransparentRuleMode.Local;

    /// <summary>TCP destination ports to capture; UDP to the same ports is rejected (QUIC falls back to TCP).</summary>
    public IReadOnlyList<int> Ports { get; init; } = [80, 443];

    public IReadOnlyList<int> Uids { get; init; } = [];
    public IReadOnlyList<int> Gids { get; init; } = [];

    /// <summary>cgroup v2 paths relative to the cgroup2 root, e.g. <c>agents.slice</c> or <c>system.slice/app.service</c>.</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];

    /// <summary>Gateway mode: input interfaces (e.g. a container bridge); a trailing <c>*</c> is a prefix wildcard.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>Destination CIDRs (or single addresses) never captured, IPv4 or IPv6.</summary>
    public IReadOnlyList<string> ExcludeCidrs { get; init; } = [];

    /// <summary>The agent's transparent listener port (REDIRECT target in local mode, TPROXY target in gateway mode).</summary>
    public int ListenPort { get; init; } = 15001;

    public TransparentFailMode FailMode { get; init; } = TransparentFailMode.Closed;

    /// <summary>
    /// The agent's uid when it runs as a dedicated user: excluded in addition to <see cref="TransparentMarks.Upstream"/>
    /// (belt and braces). Null when the agent runs as root, where excluding uid 0 would exempt every root process.
    /// </summary>
    public int? AgentUid { get; init; }
}
