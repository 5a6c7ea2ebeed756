using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// The agent never captures itself (its upstream sockets carry the mark the rules skip), and the rules' lifecycle:
/// installed while it runs, removed on stop in fail_mode open, kept (traffic fails, nothing unscanned leaves) in
/// fail_mode closed until <c>pipelock rules remove</c>.
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoopAndLifecycleTests
{
    private const string TproxyMark = "0x504a";

    [RootFact]
    public async Task EveryUidCaptured_AgentAsRoot_NoLoop_OneInterceptPerRequest()
    {
        // uids: [] captures every local process, root included; only the agent's marked sockets are exempt.
        await using var rig = await TransparentRig.StartAsync(scopeYaml: "  uids: []\n");

        var nobody = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/text?body=from-nobody"));
        var root = await rig.Topology.CurlAsync(rig.Topology.ProxyNs, rig.Upstream.HttpsUrl("upstream.test", "/text?body=from-root"),
            new CurlRequest { CaFile = rig.AgentCaPath, Timeout = TimeSpan.FromSeconds(20) });

        Assert.Equal(200, nobody.HttpStatus);
        Assert.Equal("from-nobody", nobody.Body);
        // root trusted only the agent's CA: a 200 means it was bumped too, and the agent's own dial was not recaptured.
        Assert.Equal(200, root.HttpStatus);
        Assert.Equal("from-root", root.Body);
        Assert.Single(rig.Upstream.Requests, q => q.Target.Contains("from-nobody", StringComparison.Ordinal));
        Assert.Single(rig.Upstream.Requests, q => q.Target.Contains("from-root", StringComparison.Ordinal));
        Assert.Equal(2, rig.Agent.Lines.Count(l => l.Text.Contains("\"event\":\"tls_intercept\"", StringComparison.Ordinal)));
        Assert.DoesNotContain(rig.Agent.Lines, l => l.Text.Contains("\"event\":\"transparent_direct\"", StringComparison.Ordinal));
        var health = await rig.Topology.CurlAsync(rig.Topology.ProxyNs, $"http://{TransparentRig.ControlListen}/health");
        Assert.Equal(200, health.HttpStatus);
        Assert.False(rig.Agent.HasExited);
    }

    [RootFact]
    public async Task FailModeOpen_RulesShownWhileRunning_AndGoneAfterStop()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway", extraYaml: "  fail_mode: open\n");

        var status = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, RepoPaths.AgentBinary, ["rules", "status"]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("rules: installed", status.Stdout);
        Assert.Contains("table inet pipelock", status.Stdout);
        Assert.Contains(status.Stdout.Split('\n'), l => l.StartsWith($"ip rules (fwmark {TproxyMark} lookup", StringComparison.Ordinal) && !l.EndsWith(" none", StringComparison.Ordinal));
        Assert.Contains(TproxyMark, await IpRulesAsync(rig));

        await StopAsync(rig);

        Assert.DoesNotContain("pipelock", await NftTablesAsync(rig));
        Assert.DoesNotContain(TproxyMark, await IpRulesAsync(rig));
        // Open means the host gets its direct egress back: the client now reaches the origin itself.
        var r = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=after-stop"), caFile: rig.Upstream.Pki.CaPemPath);
        Assert.Equal(200, r.HttpStatus);
        Assert.Equal(rig.Topology.ClientV4.ToString(), NetnsRequest.Parse(r.Body).Client);
    }

    [RootFact]
    public async Task FailModeClosed_RulesStayAfterStop_TrafficFails_UntilRulesRemove()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway", extraYaml: "  fail_mode: closed\n");

        await StopAsync(rig);
        var tables = await NftTablesAsync(rig);
        var blocked = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=closed"), caFile: rig.Upstream.Pki.CaPemPath);
        var remove = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, RepoPaths.AgentBinary, ["rules", "remove"]);

        Assert.Contains("table inet pipelock", tables);
        Assert.Equal(0, blocked.HttpStatus);
        Assert.NotEqual(0, blocked.ExitCode);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Target.Contains("case=closed", StringComparison.Ordinal));
        Assert.Equal(0, remove.ExitCode);
        Assert.DoesNotContain("pipelock", await NftTablesAsync(rig));
        Assert.DoesNotContain(TproxyMark, await IpRulesAsync(rig));
    }

    private static async Task StopAsync(TransparentRig rig)
    {
        rig.Agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await rig.Agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<string> NftTablesAsync(TransparentRig rig)
    {
        var r = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, "nft", ["list", "tables"]);
        Assert.Equal(0, r.ExitCode);
        return r.Stdout;
    }

    private static async Task<string> IpRulesAsync(TransparentRig rig)
    {
        var v4 = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, NetnsTopology.IpPath, ["-4", "rule", "show"]);
        var v6 = await rig.Topology.ExecAsync(rig.Topology.ProxyNs, NetnsTopology.IpPath, ["-6", "rule", "show"]);
        Assert.Equal(0, v4.ExitCode);
        Assert.Equal(0, v6.ExitCode);
        return v4.Stdout + v6.Stdout;
    }
}
