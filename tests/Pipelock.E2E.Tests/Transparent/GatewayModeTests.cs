using System.Security.Cryptography;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// Gateway mode (TPROXY on the proxy namespace's client-side interface) and IPv6 in both modes. The upstream's
/// recorded peer address tells intercepted traffic (the agent re-originated it: the proxy's server-side address)
/// from merely routed traffic (the client's own address).
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GatewayModeTests
{
    [RootFact]
    public async Task Gateway_CleanGet_ReoriginatedByTheProxy_WhileAnUncapturedPortIsOnlyRouted()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway", upstreamHttpsPorts: [443, 8443]);

        var r = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/bytes?n=4096"));
        // 8443 is not in transparent.ports: forwarded untouched, so the client must trust the origin's own CA.
        var direct = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/text?body=routed", port: 8443), caFile: rig.Upstream.Pki.CaPemPath);

        Assert.Equal(200, r.HttpStatus);
        Assert.Equal(NetnsUpstream.PatternSha256(4096), Convert.ToHexStringLower(SHA256.HashData(r.BodyBytes)));
        var seen = await rig.Upstream.WaitForRequestAsync(q => q.Path == "/bytes", TimeSpan.FromSeconds(10));
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client);
        Assert.Equal(443, seen.LocalPort);
        Assert.Equal("upstream.test", seen.Sni);
        // The listener is dual-stack, so the address may be logged IPv4-mapped (::ffff:a.b.c.d).
        await rig.LogLineAsync("\"event\":\"tls_intercept\"", "\"transparent\":true", rig.Topology.ClientV4 + "\",\"request_id\"");

        Assert.Equal(200, direct.HttpStatus);
        Assert.Equal("routed", direct.Body);
        var routed = await rig.Upstream.WaitForRequestAsync(q => q.LocalPort == 8443, TimeSpan.FromSeconds(10));
        Assert.Equal(rig.Topology.ClientV4.ToString(), routed.Client);
    }

    [RootFact]
    public async Task Gateway_SecretInPostBody_BlockedBeforeTheOriginSeesIt()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway");
        string secret = TransparentRig.RandomGithubToken();

        var leak = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=leak"), body: "{\"note\":\"" + secret + "\"}");
        var clean = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=clean"), body: "{\"note\":\"fine\"}");

        Assert.Equal(403, leak.HttpStatus);
        Assert.Equal(200, clean.HttpStatus);
        var seen = NetnsRequest.Parse(clean.Body);
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Target.Contains("case=leak", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, rig.Agent.Output);
    }

    [RootTheory]
    [InlineData("local")]
    [InlineData("gateway")]
    public async Task IPv6_BumpedScannedAndReoriginated(string mode)
    {
        await using var rig = await TransparentRig.StartAsync(mode: mode, v6Hosts: true);
        string secret = TransparentRig.RandomGithubToken();

        var clean = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=clean6"));
        var leak = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=leak6"), body: "{\"note\":\"" + secret + "\"}");

        Assert.Equal(200, clean.HttpStatus);
        var seen = NetnsRequest.Parse(clean.Body);
        Assert.Equal(rig.Topology.ServerV6.ToString(), seen.LocalAddress);
        Assert.Equal(rig.Topology.ProxyServerSideV6.ToString(), seen.Client);
        Assert.Equal("upstream.test", seen.Sni);
        await rig.LogLineAsync("\"event\":\"tls_intercept\"", "\"transparent\":true");
        Assert.Equal(403, leak.HttpStatus);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Target.Contains("case=leak6", StringComparison.Ordinal));
    }
}
