using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// The iptables fallback end to end: the agent runs with no <c>nft</c> on its PATH (a host without nftables), installs
/// its rules through iptables/ip6tables, and traffic in both modes is intercepted and scanned as with nft.
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IptablesBackendTests
{
    [RootTheory]
    [InlineData("local")]
    [InlineData("gateway")]
    public async Task WithoutNft_IptablesRulesIntercept_AndScan(string mode)
    {
        await using var rig = await TransparentRig.StartAsync(mode: mode, withoutNft: true);
        string secret = TransparentRig.RandomGithubToken();

        var clean = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=iptables-" + mode));
        var leak = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=iptables-leak"), body: "{\"token\":\"" + secret + "\"}");
        var status = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, RepoPaths.AgentBinary, ["rules", "status"],
            new Dictionary<string, string> { ["PATH"] = rig.PathWithoutNft() });
        var tables = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, "nft", ["list", "tables"]);

        Assert.Equal(200, clean.HttpStatus);
        var seen = NetnsRequest.Parse(clean.Body);
        Assert.Equal("upstream.test", seen.Sni);
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client); // re-originated by the agent in both modes
        Assert.Equal(403, leak.HttpStatus);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Target.Contains("iptables-leak", StringComparison.Ordinal));
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("backend: iptables", status.Stdout);
        Assert.Contains("rules: installed", status.Stdout);
        Assert.DoesNotContain("pipelock", tables.Stdout); // nothing went through nft's own table
        await rig.LogLineAsync("\"event\":\"tls_intercept\"", "\"transparent\":true");
    }
}
