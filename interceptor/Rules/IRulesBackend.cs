namespace Pipelock.Interceptor.Rules;

/// <summary>Which firewall tool holds the rules.</summary>
public enum RulesBackendKind
{
    Nftables,
    Iptables,
}

/// <summary>One firewall tool's way to install, remove and list our rules (routing plumbing is shared, see <see cref="RoutePlumbing"/>).</summary>
public interface IRulesBackend
{
    RulesBackendKind Kind { get; }

    Task InstallAsync(RulePlan plan, CancellationToken cancellationToken);

    /// <summary>Removes everything of ours; nothing installed is success.</summary>
    Task RemoveAsync(CancellationToken cancellationToken);

    /// <summary>Whether our rules are present, and their listing in the tool's own syntax.</summary>
    Task<(bool Installed, string Listing)> ListAsync(CancellationToken cancellationToken);
}
