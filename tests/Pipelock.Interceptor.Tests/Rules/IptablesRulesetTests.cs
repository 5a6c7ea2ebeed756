using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>Golden iptables-restore inputs for the fallback backend (hosts without nft).</summary>
public class IptablesRulesetTests
{
    [Fact]
    public void LocalScoped_V4()
    {
        var s = IptablesRuleset.Render(RulePlan.Create(NftRulesetTests.LocalScoped), ipv6: false);
        Assert.Equal("iptables", s.Tool);
        Assert.Equal([new IptablesHook("nat", "OUTPUT"), new IptablesHook("filter", "OUTPUT")], s.Hooks);
        const string expected = """
        *nat
        :PIPELOCK - [0:0]
        -A PIPELOCK -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK -m owner --uid-owner 998 -j RETURN
        -A PIPELOCK -d 127.0.0.0/8 -j RETURN
        -A PIPELOCK -d 10.0.0.0/8 -j RETURN
        -A PIPELOCK -d 192.168.1.7/32 -j RETURN
        -A PIPELOCK -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --uid-owner 1000 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --uid-owner 1001 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --gid-owner 2000 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m cgroup --path agents.slice -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m cgroup --path system.slice/runner.service -j REDIRECT --to-ports 15001
        COMMIT
        *filter
        :PIPELOCK - [0:0]
        -A PIPELOCK -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK -m owner --uid-owner 998 -j RETURN
        -A PIPELOCK -d 127.0.0.0/8 -j RETURN
        -A PIPELOCK -d 10.0.0.0/8 -j RETURN
        -A PIPELOCK -d 192.168.1.7/32 -j RETURN
        -A PIPELOCK -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --uid-owner 1000 -j REJECT --reject-with icmp-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --uid-owner 1001 -j REJECT --reject-with icmp-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --gid-owner 2000 -j REJECT --reject-with icmp-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m cgroup --path agents.slice -j REJECT --reject-with icmp-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m cgroup --path system.slice/runner.service -j REJECT --reject-with icmp-port-unreachable
        COMMIT
        """;
        Assert.Equal(expected + "\n", s.RestoreInput);
    }

    [Fact]
    public void LocalScoped_V6_UsesV6LoopbackAndIcmp6()
    {
        var s = IptablesRuleset.Render(RulePlan.Create(NftRulesetTests.LocalScoped), ipv6: true);
        Assert.Equal("ip6tables", s.Tool);
        const string expected = """
        *nat
        :PIPELOCK - [0:0]
        -A PIPELOCK -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK -m owner --uid-owner 998 -j RETURN
        -A PIPELOCK -d ::1/128 -j RETURN
        -A PIPELOCK -d fd00::/16 -j RETURN
        -A PIPELOCK -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --uid-owner 1000 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --uid-owner 1001 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m owner --gid-owner 2000 -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m cgroup --path agents.slice -j REDIRECT --to-ports 15001
        -A PIPELOCK -p tcp -m multiport --dports 80,443,8443 -m cgroup --path system.slice/runner.service -j REDIRECT --to-ports 15001
        COMMIT
        *filter
        :PIPELOCK - [0:0]
        -A PIPELOCK -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK -m owner --uid-owner 998 -j RETURN
        -A PIPELOCK -d ::1/128 -j RETURN
        -A PIPELOCK -d fd00::/16 -j RETURN
        -A PIPELOCK -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --uid-owner 1000 -j REJECT --reject-with icmp6-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --uid-owner 1001 -j REJECT --reject-with icmp6-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m owner --gid-owner 2000 -j REJECT --reject-with icmp6-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m cgroup --path agents.slice -j REJECT --reject-with icmp6-port-unreachable
        -A PIPELOCK -p udp -m multiport --dports 80,443,8443 -m cgroup --path system.slice/runner.service -j REJECT --reject-with icmp6-port-unreachable
        COMMIT
        """;
        Assert.Equal(expected + "\n", s.RestoreInput);
    }

    [Fact]
    public void Gateway_V4_TproxyWithDivertForEstablishedFlows()
    {
        var s = IptablesRuleset.Render(RulePlan.Create(NftRulesetTests.Gateway), ipv6: false);
        Assert.Equal([new IptablesHook("mangle", "PREROUTING"), new IptablesHook("filter", "FORWARD")], s.Hooks);
        // br-* becomes iptables' br-+ wildcard.
        const string expected = """
        *mangle
        :PIPELOCK - [0:0]
        :PIPELOCK_CAPTURE - [0:0]
        :PIPELOCK_DIVERT - [0:0]
        -A PIPELOCK -p tcp -m socket --transparent -j PIPELOCK_DIVERT
        -A PIPELOCK -i docker0 -j PIPELOCK_CAPTURE
        -A PIPELOCK -i br-+ -j PIPELOCK_CAPTURE
        -A PIPELOCK_CAPTURE -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK_CAPTURE -d 127.0.0.0/8 -j RETURN
        -A PIPELOCK_CAPTURE -d 172.17.0.1/32 -j RETURN
        -A PIPELOCK_CAPTURE -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK_CAPTURE -p tcp -m multiport --dports 80,443 -j TPROXY --on-port 15002 --tproxy-mark 0x504a/0xffffffff
        -A PIPELOCK_DIVERT -j MARK --set-mark 0x504a
        -A PIPELOCK_DIVERT -j ACCEPT
        COMMIT
        *filter
        :PIPELOCK - [0:0]
        :PIPELOCK_CAPTURE - [0:0]
        -A PIPELOCK -i docker0 -j PIPELOCK_CAPTURE
        -A PIPELOCK -i br-+ -j PIPELOCK_CAPTURE
        -A PIPELOCK_CAPTURE -d 127.0.0.0/8 -j RETURN
        -A PIPELOCK_CAPTURE -d 172.17.0.1/32 -j RETURN
        -A PIPELOCK_CAPTURE -p udp -m multiport --dports 80,443 -j REJECT --reject-with icmp-port-unreachable
        COMMIT
        """;
        Assert.Equal(expected + "\n", s.RestoreInput);
    }

    [Fact]
    public void Gateway_V6()
    {
        var s = IptablesRuleset.Render(RulePlan.Create(NftRulesetTests.Gateway), ipv6: true);
        Assert.Equal("ip6tables", s.Tool);
        const string expected = """
        *mangle
        :PIPELOCK - [0:0]
        :PIPELOCK_CAPTURE - [0:0]
        :PIPELOCK_DIVERT - [0:0]
        -A PIPELOCK -p tcp -m socket --transparent -j PIPELOCK_DIVERT
        -A PIPELOCK -i docker0 -j PIPELOCK_CAPTURE
        -A PIPELOCK -i br-+ -j PIPELOCK_CAPTURE
        -A PIPELOCK_CAPTURE -m mark --mark 0x5049 -j RETURN
        -A PIPELOCK_CAPTURE -d ::1/128 -j RETURN
        -A PIPELOCK_CAPTURE -d fd00:2::/64 -j RETURN
        -A PIPELOCK_CAPTURE -m addrtype --dst-type LOCAL -j RETURN
        -A PIPELOCK_CAPTURE -p tcp -m multiport --dports 80,443 -j TPROXY --on-port 15002 --tproxy-mark 0x504a/0xffffffff
        -A PIPELOCK_DIVERT -j MARK --set-mark 0x504a
        -A PIPELOCK_DIVERT -j ACCEPT
        COMMIT
        *filter
        :PIPELOCK - [0:0]
        :PIPELOCK_CAPTURE - [0:0]
        -A PIPELOCK -i docker0 -j PIPELOCK_CAPTURE
        -A PIPELOCK -i br-+ -j PIPELOCK_CAPTURE
        -A PIPELOCK_CAPTURE -d ::1/128 -j RETURN
        -A PIPELOCK_CAPTURE -d fd00:2::/64 -j RETURN
        -A PIPELOCK_CAPTURE -p udp -m multiport --dports 80,443 -j REJECT --reject-with icmp6-port-unreachable
        COMMIT
        """;
        Assert.Equal(expected + "\n", s.RestoreInput);
    }

    [Fact]
    public void MoreThan15Ports_SplitAcrossMultiportRules()
    {
        var ports = Enumerable.Range(8000, 20).ToList();
        var s = IptablesRuleset.Render(RulePlan.Create(new TransparentRuleOptions { Ports = ports }), ipv6: false);
        var redirects = s.RestoreInput.Split('\n').Where(l => l.Contains("REDIRECT", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, redirects.Count);
        Assert.Contains("--dports 8000,8001,8002,8003,8004,8005,8006,8007,8008,8009,8010,8011,8012,8013,8014 ", redirects[0], StringComparison.Ordinal);
        Assert.Contains("--dports 8015,8016,8017,8018,8019 ", redirects[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BothFamiliesByDefault_OnlyV4WithoutIpv6()
    {
        Assert.Equal(["iptables", "ip6tables"], IptablesRuleset.Render(new TransparentRuleOptions()).Select(s => s.Tool));
        Assert.Equal(["iptables"], IptablesRuleset.Render(new TransparentRuleOptions(), ipv6: false).Select(s => s.Tool));
    }
}
