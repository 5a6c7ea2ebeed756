using System.Net.Sockets;

namespace Pipelock.Interceptor.Rules;

/// <summary>What is installed right now.</summary>
/// <param name="Backend">The firewall tool in use.</param>
/// <param name="Installed">Whether our table (nft) or chains (iptables) exist.</param>
/// <param name="Rules">Their listing in the tool's syntax; empty when not installed.</param>
/// <param name="IpRules">Our fwmark policy rules (gateway mode), as <c>ip rule</c> prints them, family first.</param>
/// <param name="LocalRoutes">Routes in our policy table (gateway mode).</param>
public sealed record TransparentRulesStatus(RulesBackendKind Backend, bool Installed, string Rules, IReadOnlyList<string> IpRules, IReadOnlyList<string> LocalRoutes)
{
    /// <summary>True when nothing of ours is left: no rules, no policy rule, no route.</summary>
    public bool IsClean => !Installed && IpRules.Count == 0 && LocalRoutes.Count == 0;
}

/// <summary>
/// Installs, removes and reports the transparent-interception rules: nftables where <c>nft</c> exists, iptables
/// otherwise, plus the gateway-mode policy routing. Fail mode: with <see cref="TransparentFailMode.Closed"/> the
/// caller leaves the rules in place when the agent stops (captured traffic then fails instead of leaving unscanned);
/// with <see cref="TransparentFailMode.Open"/> the caller calls <see cref="RemoveAsync"/> on stop. Needs CAP_NET_ADMIN.
/// </summary>
public sealed class TransparentRules
{
    private readonly ICommandRunner _runner;
    private readonly RulesBackendKind? _forced;
    private readonly bool _ipv6;
    private readonly string? _cgroupPrefix;
    private RulesBackendKind? _kind;

    /// <param name="runner">Tool runner; default runs the host's tools (tests pass a netns-prefixed runner).</param>
    /// <param name="backend">Force a backend; default nft when <c>nft</c> runs, else iptables.</param>
    /// <param name="ipv6">Whether to install IPv6 rules and routes; default: whether the kernel has IPv6.</param>
    /// <param name="cgroupPrefix">nft cgroup path prefix; default detected by <see cref="CgroupV2.NftPrefix"/>.</param>
    public TransparentRules(ICommandRunner? runner = null, RulesBackendKind? backend = null, bool? ipv6 = null, string? cgroupPrefix = null)
    {
        _runner = runner ?? new ProcessCommandRunner();
        _forced = backend;
        _ipv6 = ipv6 ?? Socket.OSSupportsIPv6;
        _cgroupPrefix = cgroupPrefix;
    }

    /// <summary>Replaces whatever of ours is installed with the rules for <paramref name="options"/>.</summary>
    public async Task InstallAsync(TransparentRuleOptions options, CancellationToken cancellationToken = default)
    {
        var plan = RulePlan.Create(options);
        var backend = await BackendAsync(plan, cancellationToken).ConfigureAwait(false);
        if (plan.Mode == TransparentRuleMode.Gateway)
        {
            // Routing first: the moment TPROXY marks a packet, the local route must exist or the SYN is forwarded.
            await RoutePlumbing.EnsureAsync(_runner, _ipv6, cancellationToken).ConfigureAwait(false);
            await backend.InstallAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await backend.InstallAsync(plan, cancellationToken).ConfigureAwait(false);
            await RoutePlumbing.RemoveAsync(_runner, _ipv6, cancellationToken).ConfigureAwait(false); // left by an earlier gateway install
        }
    }

    /// <summary>Removes our rules and routing; nothing installed is success. Other tables and rules are never touched.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        var backend = await BackendAsync(null, cancellationToken).ConfigureAwait(false);
        await backend.RemoveAsync(cancellationToken).ConfigureAwait(false);
        await RoutePlumbing.RemoveAsync(_runner, _ipv6, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TransparentRulesStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var backend = await BackendAsync(null, cancellationToken).ConfigureAwait(false);
        var (installed, listing) = await backend.ListAsync(cancellationToken).ConfigureAwait(false);
        var (rules, routes) = await RoutePlumbing.ShowAsync(_runner, _ipv6, cancellationToken).ConfigureAwait(false);
        return new TransparentRulesStatus(backend.Kind, installed, listing, rules, routes);
    }

    /// <summary>The backend this instance uses (detected once).</summary>
    public async Task<RulesBackendKind> BackendKindAsync(CancellationToken cancellationToken = default) =>
        _kind ??= _forced ?? await DetectAsync(cancellationToken).ConfigureAwait(false);

    private async Task<IRulesBackend> BackendAsync(RulePlan? plan, CancellationToken cancellationToken)
    {
        _kind ??= _forced ?? await DetectAsync(cancellationToken).ConfigureAwait(false);
        if (_kind == RulesBackendKind.Iptables) return new IptablesBackend(_runner, _ipv6);
        var prefix = _cgroupPrefix ?? "";
        if (plan is { Cgroups.Count: > 0 } && _cgroupPrefix is null)
            prefix = CgroupV2.NftPrefix() ?? throw new TransparentRulesException("cgroups: no cgroup v2 hierarchy is mounted (looked in /sys/fs/cgroup and /sys/fs/cgroup/unified)");
        return new NftablesBackend(_runner, prefix);
    }

    private async Task<RulesBackendKind> DetectAsync(CancellationToken cancellationToken)
    {
        if ((await _runner.RunAsync(["nft", "--version"], null, cancellationToken).ConfigureAwait(false)).Ok) return RulesBackendKind.Nftables;
        if ((await _runner.RunAsync(["iptables", "--version"], null, cancellationToken).ConfigureAwait(false)).Ok) return RulesBackendKind.Iptables;
        throw new TransparentRulesException("neither nft nor iptables could be run: install nftables (preferred) or iptables");
    }
}
