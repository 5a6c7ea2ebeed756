using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>Option validation: config strings end up inside firewall scripts, so anything odd is refused with a reason.</summary>
public class RulePlanTests
{
    public static TheoryData<string, TransparentRuleOptions, string> Invalid() => new()
    {
        { "no ports", new TransparentRuleOptions { Ports = [] }, "ports: at least one port" },
        { "port 0", new TransparentRuleOptions { Ports = [0, 443] }, "ports: 0 is not a port" },
        { "port too big", new TransparentRuleOptions { Ports = [65536] }, "ports: 65536 is not a port" },
        { "listen port", new TransparentRuleOptions { ListenPort = 0 }, "listen_port: 0" },
        { "negative uid", new TransparentRuleOptions { Uids = [-1] }, "uids: -1" },
        { "negative agent uid", new TransparentRuleOptions { AgentUid = -5 }, "agent uid: -5" },
        { "interfaces in local mode", new TransparentRuleOptions { Interfaces = ["br0"] }, "only gateway mode selects by interface" },
        { "gateway without interfaces", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway }, "gateway mode needs at least one interface" },
        { "uids in gateway mode", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["br0"], Uids = [1000] }, "only local mode selects by process owner" },
        { "interface with quote", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["br0\" accept"] }, "is not an interface name" },
        { "interface too long", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["abcdefghijklmnop"] }, "is not an interface name" },
        { "interface plus (iptables wildcard)", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["br+"] }, "is not an interface name" },
        { "bare wildcard", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["*"] }, "is not an interface name" },
        { "lo", new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["lo"] }, "lo carries this host's own traffic" },
        { "cgroup root", new TransparentRuleOptions { Cgroups = ["/"] }, "is not a cgroup v2 path" },
        { "cgroup dotdot", new TransparentRuleOptions { Cgroups = ["a/../b"] }, "is not a cgroup v2 path" },
        { "cgroup with quote", new TransparentRuleOptions { Cgroups = ["a\" accept"] }, "is not a cgroup v2 path" },
        { "cgroup with space", new TransparentRuleOptions { Cgroups = ["my slice"] }, "is not a cgroup v2 path" },
        { "cidr garbage", new TransparentRuleOptions { ExcludeCidrs = ["10.0.0.0/33"] }, "exclude_cidrs: '10.0.0.0/33'" },
        { "cidr hostname", new TransparentRuleOptions { ExcludeCidrs = ["example.com"] }, "exclude_cidrs: 'example.com'" },
        { "cidr scoped v6", new TransparentRuleOptions { ExcludeCidrs = ["fe80::1%2/64"] }, "exclude_cidrs: 'fe80::1%2/64'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidOptions_AreRefusedWithTheReason(string name, TransparentRuleOptions options, string reason)
    {
        var errors = RulePlan.Validate(options);
        Assert.True(errors.Any(e => e.Contains(reason, StringComparison.Ordinal)), $"{name}: {string.Join(" | ", errors)}");
        var ex = Assert.Throws<TransparentRulesException>(() => RulePlan.Create(options));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Throws<TransparentRulesException>(() => NftRuleset.Render(options));
    }

    [Fact]
    public void AllErrorsAreReportedAtOnce()
    {
        var errors = RulePlan.Validate(new TransparentRuleOptions { Ports = [0], ListenPort = 70000, ExcludeCidrs = ["x"] });
        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData(" 172.16.5.0/12 ", "172.16.0.0/12")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00:1::5/16", "fd00::/16")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    public void Cidrs_AreMaskedToTheirNetwork(string raw, string canonical)
    {
        var plan = RulePlan.Create(new TransparentRuleOptions { ExcludeCidrs = [raw] });
        Assert.Equal(canonical, plan.Exclude4.Concat(plan.Exclude6).Single(c => c is not RulePlan.Loopback4 and not RulePlan.Loopback6));
    }

    [Fact]
    public void Loopback_IsAlwaysExcluded_First()
    {
        var plan = RulePlan.Create(new TransparentRuleOptions { ExcludeCidrs = ["10.0.0.0/8", "127.0.0.0/8", "::1"] });
        Assert.Equal(["127.0.0.0/8", "10.0.0.0/8"], plan.Exclude4);
        Assert.Equal(["::1/128"], plan.Exclude6);
    }

    [Theory]
    [InlineData("agents.slice", "agents.slice", 1)]
    [InlineData("/system.slice/app.service/", "system.slice/app.service", 2)]
    [InlineData("user.slice//user-1000.slice", "user.slice/user-1000.slice", 2)]
    public void Cgroups_AreTrimmed_LevelIsTheirDepth(string raw, string path, int level)
    {
        var plan = RulePlan.Create(new TransparentRuleOptions { Cgroups = [raw] });
        Assert.Equal(new CgroupSelector(path, level), plan.Cgroups.Single());
        Assert.True(plan.IsScoped);
    }

    [Fact]
    public void InterfaceWildcard_IsAccepted()
    {
        var plan = RulePlan.Create(new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["br-*", "docker0", "docker0"] });
        Assert.Equal(["br-*", "docker0"], plan.Interfaces);
    }
}
