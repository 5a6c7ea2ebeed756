using System.Security.Cryptography;
using System.Text;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// The clients the app uses, in gateway mode with no proxy variables (trust through SSL_CERT_FILE only), and large
/// bodies both ways through the bump.
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClientTests
{
    [RootTheory]
    [InlineData(RubyClient.HttParty)]
    [InlineData(RubyClient.Faraday)]
    public async Task RubyClient_NoProxyVariables_GoesThroughTheAgent(RubyClient client)
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway");

        var r = await RubyClients.RequestAsync(client, rig.Upstream.HttpsUrl("upstream.test", "/echo?client=" + client), caFile: rig.ClientBundlePath,
            timeout: TimeSpan.FromSeconds(40), topology: rig.Topology, ns: rig.ClientNs);

        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(200, r.Status);
        Assert.Null(r.Proxy);
        var seen = NetnsRequest.Parse(r.Body!);
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client);
        Assert.Equal("upstream.test", seen.Sni);
        await rig.LogLineAsync("\"event\":\"tls_intercept\"", "\"transparent\":true");
    }

    [RootTheory]
    [InlineData(1 << 10)]
    [InlineData(1 << 20)]
    public async Task Body_UpAndDown_ByteExact(int n)
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway");
        // Plain prose, so the body scanner has nothing to object to; only the bytes' integrity is under test.
        var sb = new StringBuilder(n + 64);
        for (int i = 0; sb.Length < n; i++) sb.Append("line ").Append(i).Append(": the quick brown fox jumps over the lazy dog\n");
        var upload = sb.ToString(0, n);

        var down = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/bytes?n=" + n));
        var up = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/echo?case=upload"), body: upload);

        Assert.Equal(200, down.HttpStatus);
        Assert.Equal(n, down.BodyBytes.Length);
        Assert.Equal(NetnsUpstream.PatternSha256(n), Convert.ToHexStringLower(SHA256.HashData(down.BodyBytes)));
        Assert.Equal(200, up.HttpStatus);
        var seen = NetnsRequest.Parse(up.Body);
        Assert.Equal(n, seen.BodyLength);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(upload))), seen.BodySha256);
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client);
    }

    /// <summary>
    /// .NET HttpClient (SocketsHttpHandler, no proxy variables) via <c>dotnet fsi</c>: no build step, a few seconds.
    /// On Linux .NET reads its roots through OpenSSL, so SSL_CERT_FILE is the only trust setting, as for Ruby.
    /// </summary>
    [RootFact]
    public async Task DotNetHttpClient_NoProxyVariables_GoesThroughTheAgent()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway");
        var script = Path.Combine(rig.Dir, "client.fsx");
        await File.WriteAllTextAsync(script, """
            let url = fsi.CommandLineArgs.[1]
            use client = new System.Net.Http.HttpClient()
            let r = client.GetAsync(url).Result
            printf "%d %s" (int r.StatusCode) (r.Content.ReadAsStringAsync().Result)
            """);
        var env = new Dictionary<string, string> { ["SSL_CERT_FILE"] = rig.ClientBundlePath, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

        var r = await rig.Topology.ExecAsync(rig.ClientNs, "dotnet", ["fsi", "--quiet", script, rig.Upstream.HttpsUrl("upstream.test", "/text?body=from-dotnet")], env,
            timeout: TimeSpan.FromSeconds(90));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("200 from-dotnet", r.Stdout.Trim());
        var seen = await rig.Upstream.WaitForRequestAsync(q => q.Target.Contains("from-dotnet", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(rig.Topology.ProxyServerSideV4.ToString(), seen.Client);
        await rig.LogLineAsync("\"event\":\"tls_intercept\"", "\"transparent\":true");
    }
}
