using System.CommandLine;
using System.Globalization;
using Pipelock.Agent.Hosting;
using Pipelock.Interceptor.Rules;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>pipelock rules install|remove|status</c>: the transparent-interception firewall rules (nftables table
/// <c>inet pipelock</c>, iptables where nft is missing) and gateway policy routing. install needs a config with
/// <c>transparent.enabled: true</c>; <c>--dry-run</c> prints what would be applied without touching anything.
/// Exit 0 done, 2 error (invalid config, missing privilege, or the tool's stderr).
/// </summary>
internal static class RulesCommand
{
    public static Command Create(CliEnvironment env) => Create(env, () => new TransparentRules(), RulesPrivileges.HasNetAdmin);

    /// <summary>Seam for tests: the rules facade and the privilege check.</summary>
    internal static Command Create(CliEnvironment env, Func<TransparentRules> rules, Func<bool> hasNetAdmin)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Pipelock YAML config whose transparent section to install" };
        var agentUid = new Option<int?>("--agent-uid") { Description = "uid the agent runs as (dedicated-user deployments): its traffic is never captured" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the rules and routing commands instead of applying them (no privilege needed)" };
        var install = new Command("install", "Install (or replace) the transparent-interception rules for a config") { config, agentUid, dryRun };
        install.SetAction((parse, ct) => InstallAsync(env, rules, hasNetAdmin, parse.GetValue(config), parse.GetValue(agentUid), parse.GetValue(dryRun), ct));

        var remove = new Command("remove", "Remove every transparent-interception rule and route Pipelock installed");
        remove.SetAction((_, ct) => Guarded(env, "remove", hasNetAdmin, async () =>
        {
            await rules().RemoveAsync(ct).ConfigureAwait(false);
            env.Out.WriteLine("removed: no Pipelock transparent rules or routes remain");
            return ExitCodes.Ok;
        }));

        var status = new Command("status", "Show the installed transparent-interception rules and routes");
        status.SetAction((_, ct) => Guarded(env, "status", hasNetAdmin, async () =>
        {
            var s = await rules().StatusAsync(ct).ConfigureAwait(false);
            WriteStatus(env.Out, s);
            return ExitCodes.Ok;
        }));

        return new Command("rules", "Manage the transparent-interception firewall rules (needs root)") { install, remove, status };
    }

    private static async Task<int> InstallAsync(CliEnvironment env, Func<TransparentRules> rules, Func<bool> hasNetAdmin, string? configPath, int? agentUid, bool dryRun, CancellationToken ct)
    {
        if (configPath is null)
            return Fail(env, "rules install needs --config with a transparent section (transparent.enabled: true)");
        var cfg = ConfigReporter.Load(configPath, env);
        if (cfg is null) return ExitCodes.Error;
        // Refused rather than installed anyway: with transparent disabled 'pipelock run' opens no transparent
        // listener, so fail-closed rules would silently cut this host's web traffic, and nothing would remove them.
        if (!cfg.Transparent.Enabled)
            return Fail(env, $"{configPath}: transparent.enabled is false; the agent would not listen for captured traffic, so nothing is installed");

        var options = TransparentRulesMapper.ToRuleOptions(cfg.Transparent, agentUid);
        var errors = RulePlan.Validate(options);
        if (errors.Count > 0)
        {
            foreach (var e in errors) env.Err.WriteLine("error: transparent." + e);
            return ExitCodes.Error;
        }

        if (dryRun) return await DryRunAsync(env, rules(), options, ct).ConfigureAwait(false);

        return await Guarded(env, "install", hasNetAdmin, async () =>
        {
            var facade = rules();
            await facade.InstallAsync(options, ct).ConfigureAwait(false);
            var backend = await facade.BackendKindAsync(ct).ConfigureAwait(false);
            env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"installed: {Describe(backend)}, mode {cfg.Transparent.Mode}, tcp ports {string.Join(',', cfg.Transparent.Ports)} -> :{options.ListenPort}, udp to those ports rejected"));
            env.Out.WriteLine(options.FailMode == TransparentFailMode.Closed
                ? "fail_mode closed: the rules stay when the agent stops (captured traffic fails); 'pipelock rules remove' lifts them"
                : "fail_mode open: the agent removes the rules when it stops; 'pipelock rules remove' lifts them by hand");
            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }

    private static async Task<int> DryRunAsync(CliEnvironment env, TransparentRules rules, TransparentRuleOptions options, CancellationToken ct)
    {
        RulesBackendKind backend;
        try
        {
            backend = await rules.BackendKindAsync(ct).ConfigureAwait(false);
        }
        catch (TransparentRulesException)
        {
            backend = RulesBackendKind.Nftables; // no tool here: show what nft would get
        }
        var plan = RulePlan.Create(options);
        if (backend == RulesBackendKind.Nftables)
        {
            env.Out.WriteLine("# nft -f -");
            env.Out.Write(NftRuleset.Render(plan, plan.Cgroups.Count > 0 ? CgroupV2.NftPrefix() ?? "" : ""));
        }
        else
        {
            foreach (var script in new[] { IptablesRuleset.Render(plan, false), IptablesRuleset.Render(plan, true) })
            {
                env.Out.WriteLine($"# {script.Tool}-restore -w --noflush");
                env.Out.Write(script.RestoreInput);
                foreach (var h in script.Hooks) env.Out.WriteLine($"# {script.Tool} -w -t {h.Table} -I {h.Hook} 1 -j {IptablesRuleset.Chain}");
            }
        }
        if (plan.Mode == TransparentRuleMode.Gateway)
        {
            env.Out.WriteLine("# policy routing (each rule added only when absent)");
            foreach (var f in RoutePlumbing.Families(ipv6: true))
            {
                env.Out.WriteLine(string.Join(' ', RoutePlumbing.AddRule(f)));
                env.Out.WriteLine(string.Join(' ', RoutePlumbing.ReplaceRoute(f)));
            }
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> Guarded(CliEnvironment env, string verb, Func<bool> hasNetAdmin, Func<Task<int>> action)
    {
        if (!hasNetAdmin())
            return Fail(env, $"rules {verb} needs root (CAP_NET_ADMIN) to read and change the firewall; run it with sudo");
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (TransparentRulesException e)
        {
            return Fail(env, e.Message);
        }
    }

    private static void WriteStatus(TextWriter o, TransparentRulesStatus s)
    {
        o.WriteLine($"backend: {Describe(s.Backend)}");
        o.WriteLine($"rules: {(s.Installed ? "installed" : "not installed")}");
        if (s.Installed) o.Write(s.Rules.EndsWith('\n') ? s.Rules : s.Rules + "\n");
        o.WriteLine($"ip rules (fwmark 0x{TransparentMarks.Tproxy:x} lookup {TransparentMarks.RouteTable}):{(s.IpRules.Count == 0 ? " none" : "")}");
        foreach (var r in s.IpRules) o.WriteLine("  " + r);
        o.WriteLine($"routes (table {TransparentMarks.RouteTable}):{(s.LocalRoutes.Count == 0 ? " none" : "")}");
        foreach (var r in s.LocalRoutes) o.WriteLine("  " + r);
    }

    private static string Describe(RulesBackendKind b) => b == RulesBackendKind.Nftables ? "nftables (table inet pipelock)" : "iptables (chains PIPELOCK*)";

    private static int Fail(CliEnvironment env, string message)
    {
        env.Err.WriteLine("error: " + message);
        return ExitCodes.Error;
    }
}
