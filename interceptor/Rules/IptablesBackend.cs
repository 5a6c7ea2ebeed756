using System.Text;

namespace Pipelock.Interceptor.Rules;

/// <summary>
/// iptables/ip6tables, used only where <c>nft</c> is missing. Install removes whatever of ours is present, loads each
/// family's chains with <c>iptables-restore -w --noflush</c> (other chains untouched), then adds one jump per hook.
/// Remove deletes our jumps and then flushes and deletes every chain whose name starts with PIPELOCK.
/// </summary>
public sealed class IptablesBackend(ICommandRunner runner, bool ipv6) : IRulesBackend
{
    private static readonly string[] Tables = ["nat", "filter", "mangle"];

    public RulesBackendKind Kind => RulesBackendKind.Iptables;

    private IEnumerable<string> Tools => ipv6 ? ["iptables", "ip6tables"] : ["iptables"];

    public async Task InstallAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        await RemoveAsync(cancellationToken).ConfigureAwait(false);
        foreach (var script in ipv6 ? [IptablesRuleset.Render(plan, false), IptablesRuleset.Render(plan, true)] : new[] { IptablesRuleset.Render(plan, false) })
        {
            await Must([script.Tool + "-restore", "-w", "--noflush"], script.RestoreInput, cancellationToken).ConfigureAwait(false);
            foreach (var h in script.Hooks)
            {
                var check = await runner.RunAsync(Jump(script.Tool, h, "-C"), null, cancellationToken).ConfigureAwait(false);
                if (!check.Ok) await Must(Jump(script.Tool, h, "-I"), null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        foreach (var tool in Tools)
        {
            foreach (var h in IptablesRuleset.AllHooks)
            {
                // -C fails both when the jump is absent and when our chain does not exist: either way there is none.
                for (int i = 0; i < 32; i++)
                {
                    var check = await runner.RunAsync(Jump(tool, h, "-C"), null, cancellationToken).ConfigureAwait(false);
                    ThrowIfDenied(check, tool);
                    if (!check.Ok) break;
                    await Must(Jump(tool, h, "-D"), null, cancellationToken).ConfigureAwait(false);
                }
            }
            foreach (var table in Tables)
            {
                var chains = await OurChains(tool, table, cancellationToken).ConfigureAwait(false);
                foreach (var c in chains) await Must([tool, "-w", "-t", table, "-F", c], null, cancellationToken).ConfigureAwait(false);
                foreach (var c in chains) await Must([tool, "-w", "-t", table, "-X", c], null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<(bool Installed, string Listing)> ListAsync(CancellationToken cancellationToken)
    {
        var listing = new StringBuilder();
        foreach (var tool in Tools)
        {
            foreach (var table in Tables)
            {
                var r = await runner.RunAsync([tool, "-w", "-t", table, "-S"], null, cancellationToken).ConfigureAwait(false);
                ThrowIfDenied(r, tool);
                if (!r.Ok) continue; // table not available in this kernel: nothing of ours can be in it
                var ours = r.Stdout.Split('\n').Where(l => l.Contains(IptablesRuleset.Chain, StringComparison.Ordinal)).ToList();
                if (ours.Count == 0) continue;
                listing.Append("# ").Append(tool).Append(" -t ").Append(table).Append('\n');
                foreach (var l in ours) listing.Append(l).Append('\n');
            }
        }
        return (listing.Length > 0, listing.ToString());
    }

    private async Task<List<string>> OurChains(string tool, string table, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync([tool, "-w", "-t", table, "-S"], null, cancellationToken).ConfigureAwait(false);
        ThrowIfDenied(r, tool);
        if (!r.Ok) return [];
        return [.. r.Stdout.Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("-N " + IptablesRuleset.Chain, StringComparison.Ordinal))
            .Select(l => l[3..])];
    }

    private static string[] Jump(string tool, IptablesHook h, string op) =>
        op == "-I" ? [tool, "-w", "-t", h.Table, "-I", h.Hook, "1", "-j", IptablesRuleset.Chain] : [tool, "-w", "-t", h.Table, op, h.Hook, "-j", IptablesRuleset.Chain];

    private static void ThrowIfDenied(CommandResult r, string tool)
    {
        // iptables-legacy needs CAP_NET_RAW (raw socket) and a writable /run/xtables.lock, neither of which the
        // systemd unit gives; iptables-nft needs only CAP_NET_ADMIN. Say which to use instead of just relaying the tool.
        if (r.Stderr.Contains("xtables.lock", StringComparison.Ordinal) || r.Stderr.Contains("you must be root", StringComparison.Ordinal))
            throw new TransparentRulesException($"{tool}: {r.Stderr.Trim()} (this is iptables-legacy, which needs CAP_NET_RAW and a writable " +
                "/run/xtables.lock; install nftables, or switch to iptables-nft: update-alternatives --set iptables /usr/sbin/iptables-nft)");
        if (r.ExitCode == CommandResult.NotFound || r.Stderr.Contains("Permission denied", StringComparison.Ordinal))
            throw new TransparentRulesException($"{tool}: {r.Stderr.Trim()}");
    }

    private async Task Must(string[] argv, string? stdin, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(argv, stdin, cancellationToken).ConfigureAwait(false);
        if (!r.Ok) throw RoutePlumbing.Failure(argv, r);
    }
}
