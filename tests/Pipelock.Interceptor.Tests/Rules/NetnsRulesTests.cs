using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>
/// Real install / re-install / remove / status inside a fresh network namespace: what the kernel ends up holding,
/// that nothing of anyone else's is touched, and that remove leaves nothing behind.
/// </summary>
public class NetnsRulesTests
{
    private static readonly TransparentRuleOptions Local = new()
    {
        Uids = [65534],
        Gids = [65534],
        ExcludeCidrs = ["10.0.0.0/8", "fd00::/8"],
        AgentUid = 4242,
    };

    private static readonly TransparentRuleOptions Gateway = new()
    {
        Mode = TransparentRuleMode.Gateway,
        Interfaces = ["docker0", "br-*"],
        ExcludeCidrs = ["172.17.0.1/32"],
    };

    private const string Bystander = """
        table inet bystander {
        	chain out {
        		type filter hook output priority 10; policy accept;
        		tcp dport 80 counter
        	}
        }
        table ip bystander4 {
        	chain pre {
        		type nat hook prerouting priority -100; policy accept;
        	}
        }

        """;

    [NetnsFact]
    public async Task Local_InstallReinstallRemove_OnlyOurTable_NothingLeft()
    {
        await using var ns = await TestNetns.CreateAsync();
        await ns.Runner.RunAsync(["nft", "-f", "-"], Bystander);
        var bystanderBefore = await ns.Stdout("nft", "list", "table", "inet", "bystander") + await ns.Stdout("nft", "list", "table", "ip", "bystander4");
        var rules = new TransparentRules(ns.Runner, ipv6: true);

        Assert.True((await rules.StatusAsync()).IsClean);
        await rules.InstallAsync(Local);
        var first = await ns.Stdout("nft", "list", "table", "inet", "pipelock");
        Assert.Contains("chain output_redirect {", first, StringComparison.Ordinal);
        Assert.Contains("type nat hook output priority -100; policy accept;", first, StringComparison.Ordinal);
        Assert.Contains("meta mark 0x00005049 return", first, StringComparison.Ordinal);
        Assert.Contains("meta skuid 4242 return", first, StringComparison.Ordinal);
        Assert.Contains("meta skuid 65534 tcp dport { 80, 443 } redirect to :15001", first, StringComparison.Ordinal);
        Assert.Contains("meta skgid 65534 udp dport { 80, 443 } reject", first, StringComparison.Ordinal);
        Assert.Contains("elements = { 10.0.0.0/8, 127.0.0.0/8 }", first, StringComparison.Ordinal);

        await rules.InstallAsync(Local);
        var tables = await ns.Stdout("nft", "list", "tables");
        Assert.Single(tables.Split('\n'), l => l == "table inet pipelock");
        Assert.Equal(first, await ns.Stdout("nft", "list", "table", "inet", "pipelock"));

        var status = await rules.StatusAsync();
        Assert.True(status.Installed);
        Assert.Equal(first, status.Rules);
        Assert.Empty(status.IpRules); // local mode needs no policy routing

        await rules.RemoveAsync();
        Assert.True((await rules.StatusAsync()).IsClean);
        Assert.DoesNotContain("pipelock", await ns.Stdout("nft", "list", "tables"), StringComparison.Ordinal);
        Assert.Equal(bystanderBefore, await ns.Stdout("nft", "list", "table", "inet", "bystander") + await ns.Stdout("nft", "list", "table", "ip", "bystander4"));

        await rules.RemoveAsync(); // nothing installed: still success
    }

    [NetnsFact]
    public async Task Gateway_InstallsRoutingOnce_SwitchToLocalDropsIt_RemoveLeavesNothing()
    {
        await using var ns = await TestNetns.CreateAsync();
        await ns.Runner.RunAsync(["nft", "-f", "-"], Bystander);
        var rules = new TransparentRules(ns.Runner, ipv6: true);

        await rules.InstallAsync(Gateway);
        await rules.InstallAsync(Gateway);
        var listing = await ns.Stdout("nft", "list", "table", "inet", "pipelock");
        Assert.Contains("type filter hook prerouting priority mangle; policy accept;", listing, StringComparison.Ordinal);
        Assert.Contains("tcp dport { 80, 443 } tproxy to :15001 meta mark set 0x0000504a accept", listing, StringComparison.Ordinal);
        Assert.Contains("socket transparent 1 meta mark set 0x0000504a accept", listing, StringComparison.Ordinal);
        Assert.Contains("chain forward_udp {", listing, StringComparison.Ordinal);
        foreach (var f in new[] { "-4", "-6" })
        {
            Assert.Single((await ns.Stdout("ip", f, "rule", "show")).Split('\n'), l => l.Contains("fwmark 0x504a lookup 5049", StringComparison.Ordinal));
            Assert.StartsWith("local default dev lo", await ns.Stdout("ip", f, "route", "show", "table", "5049"), StringComparison.Ordinal);
        }
        var status = await rules.StatusAsync();
        Assert.Equal(2, status.IpRules.Count);
        Assert.Equal(2, status.LocalRoutes.Count);

        await rules.InstallAsync(Local);
        Assert.Contains("chain output_redirect", await ns.Stdout("nft", "list", "table", "inet", "pipelock"), StringComparison.Ordinal);
        Assert.DoesNotContain("prerouting_tproxy", await ns.Stdout("nft", "list", "table", "inet", "pipelock"), StringComparison.Ordinal);
        Assert.Empty((await rules.StatusAsync()).IpRules);

        await rules.InstallAsync(Gateway);
        await rules.RemoveAsync();
        Assert.True((await rules.StatusAsync()).IsClean);
        foreach (var f in new[] { "-4", "-6" })
        {
            Assert.DoesNotContain("0x504a", await ns.Stdout("ip", f, "rule", "show"), StringComparison.Ordinal);
            Assert.Equal("", (await ns.Stdout("ip", f, "route", "show", "table", "5049")).Trim());
        }
        var tables = await ns.Stdout("nft", "list", "tables");
        Assert.Equal(["table inet bystander", "table ip bystander4"], tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [NetnsFact]
    public async Task AFailingScript_LeavesThePreviousTableAsItWas()
    {
        await using var ns = await TestNetns.CreateAsync();
        var rules = new TransparentRules(ns.Runner, ipv6: true, cgroupPrefix: "");
        await rules.InstallAsync(Local);
        var before = await ns.Stdout("nft", "list", "table", "inet", "pipelock");

        // nft resolves cgroup paths when loading: a missing one fails the whole transaction, including the delete.
        var ex = await Assert.ThrowsAsync<TransparentRulesException>(() =>
            rules.InstallAsync(new TransparentRuleOptions { Cgroups = ["pl-rules-no-such-cgroup-" + Guid.NewGuid().ToString("N")] }));
        Assert.Contains("nft -f -", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ns.Stdout("nft", "list", "table", "inet", "pipelock"));
    }

    [NetnsFact]
    public async Task Iptables_InstallReinstallRemove_OneJumpPerHook_NothingLeft()
    {
        if (NetnsSupport.Which("iptables") is null || NetnsSupport.Which("ip6tables") is null) return; // fallback backend absent here
        await using var ns = await TestNetns.CreateAsync();
        var rules = new TransparentRules(ns.Runner, RulesBackendKind.Iptables, ipv6: true);

        foreach (var (options, hooks) in new[]
        {
            (Local, new[] { ("nat", "OUTPUT"), ("filter", "OUTPUT") }),
            (Gateway, new[] { ("mangle", "PREROUTING"), ("filter", "FORWARD") }),
        })
        {
            await rules.InstallAsync(options);
            await rules.InstallAsync(options);
            foreach (var tool in new[] { "iptables", "ip6tables" })
                foreach (var (table, hook) in hooks)
                {
                    var s = await ns.Stdout(tool, "-w", "-t", table, "-S");
                    Assert.Single(s.Split('\n'), l => l == $"-A {hook} -j PIPELOCK");
                    Assert.Contains("-N PIPELOCK", s, StringComparison.Ordinal);
                }
            var status = await rules.StatusAsync();
            Assert.True(status.Installed);
            Assert.Contains("PIPELOCK", status.Rules, StringComparison.Ordinal);
        }
        Assert.Equal(2, (await rules.StatusAsync()).IpRules.Count);

        // Switching modes left no local-mode chain behind.
        Assert.DoesNotContain("PIPELOCK", await ns.Stdout("iptables", "-w", "-t", "nat", "-S"), StringComparison.Ordinal);

        await rules.RemoveAsync();
        Assert.True((await rules.StatusAsync()).IsClean);
        foreach (var tool in new[] { "iptables", "ip6tables" })
            foreach (var table in new[] { "nat", "filter", "mangle" })
                Assert.DoesNotContain("PIPELOCK", await ns.Stdout(tool, "-w", "-t", table, "-S"), StringComparison.Ordinal);
    }
}
