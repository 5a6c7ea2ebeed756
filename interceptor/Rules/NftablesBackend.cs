namespace Pipelock.Interceptor.Rules;

/// <summary>
/// nftables: the whole table goes in with one <c>nft -f -</c> transaction (atomic: a bad script leaves the previous
/// table in place), is listed with <c>nft list table inet pipelock</c> and removed with <c>nft delete table</c>.
/// </summary>
public sealed class NftablesBackend(ICommandRunner runner, string cgroupPrefix = "") : IRulesBackend
{
    private static readonly string[] ListTable = ["nft", "list", "table", NftRuleset.Family, NftRuleset.TableName];
    private static readonly string[] DeleteTable = ["nft", "delete", "table", NftRuleset.Family, NftRuleset.TableName];

    public RulesBackendKind Kind => RulesBackendKind.Nftables;

    public async Task InstallAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        string[] argv = ["nft", "-f", "-"];
        var r = await runner.RunAsync(argv, NftRuleset.Render(plan, cgroupPrefix), cancellationToken).ConfigureAwait(false);
        if (!r.Ok) throw RoutePlumbing.Failure(argv, r);
    }

    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(DeleteTable, null, cancellationToken).ConfigureAwait(false);
        if (r.Ok || IsAbsent(r)) return;
        throw RoutePlumbing.Failure(DeleteTable, r);
    }

    public async Task<(bool Installed, string Listing)> ListAsync(CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(ListTable, null, cancellationToken).ConfigureAwait(false);
        if (r.Ok) return (true, r.Stdout);
        if (IsAbsent(r)) return (false, "");
        throw RoutePlumbing.Failure(ListTable, r);
    }

    /// <summary>nft reports a missing table as ENOENT ("No such file or directory"); LC_ALL=C keeps that text stable.</summary>
    private static bool IsAbsent(CommandResult r) => r.Stderr.Contains("No such file or directory", StringComparison.Ordinal);
}
