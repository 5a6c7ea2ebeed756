using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>The facade's command sequence against a scripted runner: backend choice, routing checks, idempotence, errors.</summary>
public class TransparentRulesTests
{
    private static readonly TransparentRuleOptions Gateway = new() { Mode = TransparentRuleMode.Gateway, Interfaces = ["br0"] };

    [Fact]
    public async Task Backend_IsNft_WhenNftRuns()
    {
        var runner = new FakeRunner();
        Assert.Equal(RulesBackendKind.Nftables, await new TransparentRules(runner, ipv6: true).BackendKindAsync());
        Assert.Equal(["nft --version"], runner.Commands);
    }

    [Fact]
    public async Task Backend_IsIptables_OnlyWhenNftIsMissing()
    {
        var runner = new FakeRunner((cmd, _) => cmd.StartsWith("nft", StringComparison.Ordinal) ? FakeRunner.Fail("nft: not found", CommandResult.NotFound) : null);
        Assert.Equal(RulesBackendKind.Iptables, await new TransparentRules(runner, ipv6: true).BackendKindAsync());
    }

    [Fact]
    public async Task Backend_NeitherTool_IsAClearError()
    {
        var runner = new FakeRunner((_, _) => FakeRunner.Fail("not found", CommandResult.NotFound));
        var ex = await Assert.ThrowsAsync<TransparentRulesException>(() => new TransparentRules(runner).InstallAsync(new TransparentRuleOptions()));
        Assert.Contains("neither nft nor iptables", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayInstall_AddsRoutingFirst_RulesOnlyWhenAbsent_ThenLoadsTheTable()
    {
        var runner = new FakeRunner();
        await new TransparentRules(runner, ipv6: true).InstallAsync(Gateway);
        Assert.Equal(
        [
            "nft --version",
            "ip -4 rule show fwmark 0x504a lookup 5049",
            "ip -4 rule add fwmark 0x504a lookup 5049",
            "ip -4 route replace local 0.0.0.0/0 dev lo table 5049",
            "ip -6 rule show fwmark 0x504a lookup 5049",
            "ip -6 rule add fwmark 0x504a lookup 5049",
            "ip -6 route replace local ::/0 dev lo table 5049",
            "nft -f -",
        ], runner.Commands);
        Assert.Equal(NftRuleset.Render(Gateway), runner.Inputs[^1]);
    }

    [Fact]
    public async Task GatewayReinstall_DoesNotDuplicateThePolicyRule()
    {
        var runner = new FakeRunner((cmd, _) => cmd.Contains("rule show", StringComparison.Ordinal) ? FakeRunner.Ok("32765:\tfrom all fwmark 0x504a lookup 5049\n") : null);
        await new TransparentRules(runner, ipv6: true).InstallAsync(Gateway);
        Assert.DoesNotContain(runner.Commands, c => c.Contains("rule add", StringComparison.Ordinal));
        Assert.Equal(2, runner.Commands.Count(c => c.Contains("route replace", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GatewayWithoutIpv6_PlumbsOnlyIpv4()
    {
        var runner = new FakeRunner();
        await new TransparentRules(runner, ipv6: false).InstallAsync(Gateway);
        Assert.DoesNotContain(runner.Commands, c => c.StartsWith("ip -6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LocalInstall_LoadsTheTable_ThenRemovesRoutingLeftByAnEarlierGatewayInstall()
    {
        var runner = new FakeRunner((cmd, _) => cmd switch
        {
            "ip -4 rule show fwmark 0x504a lookup 5049" => FakeRunner.Ok("32765:\tfrom all fwmark 0x504a lookup 5049\n32764:\tfrom all fwmark 0x504a lookup 5049\n"),
            "ip -4 route show table 5049" => FakeRunner.Ok("local default dev lo scope host\n"),
            _ => null,
        });
        await new TransparentRules(runner, ipv6: true).InstallAsync(new TransparentRuleOptions());
        Assert.Equal(
        [
            "nft --version",
            "nft -f -",
            "ip -4 rule show fwmark 0x504a lookup 5049",
            "ip -4 rule del fwmark 0x504a lookup 5049",
            "ip -4 rule del fwmark 0x504a lookup 5049",
            "ip -4 route show table 5049",
            "ip -4 route del local 0.0.0.0/0 dev lo table 5049",
            "ip -6 rule show fwmark 0x504a lookup 5049",
            "ip -6 route show table 5049",
        ], runner.Commands);
    }

    [Fact]
    public async Task InstallFailure_CarriesTheToolsStderr()
    {
        var runner = new FakeRunner((cmd, _) => cmd == "nft -f -" ? FakeRunner.Fail("Error: Could not process rule: Operation not permitted") : null);
        var ex = await Assert.ThrowsAsync<TransparentRulesException>(() => new TransparentRules(runner).InstallAsync(new TransparentRuleOptions()));
        Assert.Contains("Operation not permitted", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nft -f -", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidOptions_RunNothing()
    {
        var runner = new FakeRunner();
        await Assert.ThrowsAsync<TransparentRulesException>(() => new TransparentRules(runner).InstallAsync(new TransparentRuleOptions { Ports = [] }));
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Remove_AbsentTableIsSuccess_OtherFailuresAreNot()
    {
        var absent = new FakeRunner((cmd, _) => cmd.StartsWith("nft delete", StringComparison.Ordinal)
            ? FakeRunner.Fail("Error: Could not process rule: No such file or directory\ndelete table inet pipelock\n") : null);
        await new TransparentRules(absent, ipv6: false).RemoveAsync();
        Assert.Contains("nft delete table inet pipelock", absent.Commands);

        var denied = new FakeRunner((cmd, _) => cmd.StartsWith("nft delete", StringComparison.Ordinal) ? FakeRunner.Fail("Error: Operation not permitted") : null);
        var ex = await Assert.ThrowsAsync<TransparentRulesException>(() => new TransparentRules(denied).RemoveAsync());
        Assert.Contains("Operation not permitted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ReportsTableAndRouting()
    {
        var installed = new FakeRunner((cmd, _) => cmd switch
        {
            "nft list table inet pipelock" => FakeRunner.Ok("table inet pipelock {\n}\n"),
            "ip -4 rule show fwmark 0x504a lookup 5049" => FakeRunner.Ok("32765:\tfrom all fwmark 0x504a lookup 5049\n"),
            "ip -4 route show table 5049" => FakeRunner.Ok("local default dev lo scope host\n"),
            _ => null,
        });
        var s = await new TransparentRules(installed, ipv6: true).StatusAsync();
        Assert.True(s.Installed);
        Assert.Equal(RulesBackendKind.Nftables, s.Backend);
        Assert.StartsWith("table inet pipelock", s.Rules, StringComparison.Ordinal);
        Assert.Equal(["-4 32765:\tfrom all fwmark 0x504a lookup 5049"], s.IpRules);
        Assert.Equal(["-4 local default dev lo scope host"], s.LocalRoutes);
        Assert.False(s.IsClean);

        var none = new FakeRunner((cmd, _) => cmd.StartsWith("nft list", StringComparison.Ordinal) ? FakeRunner.Fail("Error: No such file or directory") : null);
        var empty = await new TransparentRules(none, ipv6: true).StatusAsync();
        Assert.False(empty.Installed);
        Assert.True(empty.IsClean);
    }

    [Fact]
    public async Task Cgroups_UseTheGivenPrefix()
    {
        var runner = new FakeRunner();
        await new TransparentRules(runner, cgroupPrefix: "unified/").InstallAsync(new TransparentRuleOptions { Cgroups = ["agents.slice"] });
        Assert.Contains("socket cgroupv2 level 1 \"unified/agents.slice\" tcp dport", runner.Inputs.Single(i => i is not null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IptablesRemove_DeletesEveryJump_ThenFlushesAndDeletesOurChainsOnly()
    {
        int checks = 0;
        var runner = new FakeRunner((cmd, _) =>
        {
            if (cmd == "iptables -w -t nat -C OUTPUT -j PIPELOCK") return ++checks <= 2 ? FakeRunner.Ok() : FakeRunner.Fail("iptables: Bad rule");
            if (cmd.EndsWith("-C OUTPUT -j PIPELOCK", StringComparison.Ordinal) || cmd.Contains(" -C ", StringComparison.Ordinal)) return FakeRunner.Fail("iptables: No chain/target/match by that name.");
            if (cmd == "iptables -w -t mangle -S") return FakeRunner.Ok("-P PREROUTING ACCEPT\n-N DOCKER\n-N PIPELOCK\n-N PIPELOCK_CAPTURE\n-A PIPELOCK -j PIPELOCK_CAPTURE\n");
            return null;
        });
        await new TransparentRules(runner, RulesBackendKind.Iptables, ipv6: false).RemoveAsync();
        Assert.Equal(2, runner.Commands.Count(c => c == "iptables -w -t nat -D OUTPUT -j PIPELOCK"));
        var changes = runner.Commands.Where(c => c.Contains(" -F ", StringComparison.Ordinal) || c.Contains(" -X ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "iptables -w -t mangle -F PIPELOCK",
            "iptables -w -t mangle -F PIPELOCK_CAPTURE",
            "iptables -w -t mangle -X PIPELOCK",
            "iptables -w -t mangle -X PIPELOCK_CAPTURE",
        ], changes);
    }

    [Fact]
    public async Task IptablesInstall_RestoresEachFamily_ThenJumpsFromTheHooks()
    {
        var runner = new FakeRunner((cmd, _) => cmd.Contains(" -C ", StringComparison.Ordinal) ? FakeRunner.Fail("no such rule") : null);
        await new TransparentRules(runner, RulesBackendKind.Iptables, ipv6: true).InstallAsync(new TransparentRuleOptions());
        var restores = runner.Commands.Select((c, i) => (c, i)).Where(x => x.c.Contains("-restore", StringComparison.Ordinal)).ToList();
        Assert.Equal(["iptables-restore -w --noflush", "ip6tables-restore -w --noflush"], restores.Select(r => r.c));
        Assert.Equal(IptablesRuleset.Render(new TransparentRuleOptions())[0].RestoreInput, runner.Inputs[restores[0].i]);
        Assert.Contains("iptables -w -t nat -I OUTPUT 1 -j PIPELOCK", runner.Commands);
        Assert.Contains("ip6tables -w -t filter -I OUTPUT 1 -j PIPELOCK", runner.Commands);
    }
}

/// <summary>How the iptables backend reports a tool that refuses us: an error naming the cause, with what to use instead
/// when the refusal is iptables-legacy's (the systemd unit gives neither CAP_NET_RAW nor a writable /run/xtables.lock).</summary>
public sealed class IptablesDenialTests
{
    [Theory]
    [InlineData("Fatal: can't open lock file /run/xtables.lock: Read-only file system", true)]
    [InlineData("iptables v1.8.9 (legacy): can't initialize iptables table `nat': Permission denied (you must be root)", true)]
    [InlineData("iptables: Permission denied.", false)]
    public async Task Denials_AreErrors_AndLegacyOnesSayWhatToUse(string stderr, bool legacy)
    {
        var runner = new FakeRunner((_, _) => FakeRunner.Fail(stderr, 4));
        var e = await Assert.ThrowsAsync<TransparentRulesException>(() => new IptablesBackend(runner, ipv6: false).RemoveAsync(CancellationToken.None));
        Assert.Contains(stderr, e.Message, StringComparison.Ordinal);
        Assert.Equal(legacy, e.Message.Contains("update-alternatives --set iptables /usr/sbin/iptables-nft", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoJumpAndNoChains_IsNotADenial()
    {
        var runner = new FakeRunner((cmd, _) => cmd.Contains(" -C ", StringComparison.Ordinal)
            ? FakeRunner.Fail("iptables: Bad rule (does a matching rule exist in that chain?).")
            : null);
        await new IptablesBackend(runner, ipv6: false).RemoveAsync(CancellationToken.None);
        Assert.DoesNotContain(runner.Commands, c => c.Contains(" -D ", StringComparison.Ordinal));
    }
}
