using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Forward;

/// <summary>
/// The two paths besides the bump: absolute-form plain HTTP (<c>GET http://upstream.test:port/…</c>, forwarded and
/// scanned like a decrypted request) and a CONNECT tunnel to a passthrough domain (spliced: the client completes TLS
/// with the upstream itself and sees its certificate).
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class PlainAndSplicedTests : IClassFixture<BlockingAgentFixture>
{
    private readonly ProxyAgent _agent;

    public PlainAndSplicedTests(BlockingAgentFixture fixture) => _agent = NamespaceSupport.WhyNot is null ? fixture.Agent : null!;

    [RootTheory]
    [InlineData(ProxyClient.NetHttp)]
    [InlineData(ProxyClient.Faraday)]
    [InlineData(ProxyClient.Curl)]
    public async Task Plain_http_absolute_form_is_forwarded_with_the_clients_host(ProxyClient client)
    {
        var tag = Guid.NewGuid().ToString("N");
        var mark = _agent.Process.LineCount;

        var r = await _agent.SendAsync(client, _agent.HttpUrl($"/echo?plain={tag}&x=a-b_c.d~e"));

        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(200, r.Status);
        Assert.Equal($"127.0.0.1:{_agent.Port}", r.Proxy);
        var seen = Assert.Single(_agent.Http.Requests, q => q.PathAndQuery.Contains(tag, StringComparison.Ordinal));
        Assert.Equal($"/echo?plain={tag}&x=a-b_c.d~e", seen.PathAndQuery);
        Assert.Equal("http", seen.Scheme);
        Assert.Equal($"{ProxyAgent.UpstreamHost}:{_agent.Http.Port}", seen.Header("Host"));
        Assert.DoesNotContain(seen.Headers, h => h.Key.StartsWith("X-Forwarded", StringComparison.OrdinalIgnoreCase)
            || h.Key.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Via", StringComparison.OrdinalIgnoreCase));
        Assert.Equal($"/echo", JsonDocument.Parse(r.Body).RootElement.GetProperty("path").GetString());
        // Absolute-form, not a tunnel: no CONNECT was logged for it.
        var allowed = await _agent.WaitForEventAsync("allowed", e => e.GetProperty("url").GetString()!.StartsWith("http://upstream.test", StringComparison.Ordinal), mark);
        Assert.Equal(200, allowed.GetProperty("status").GetInt32());
        Assert.Empty(_agent.Events("tunnel_open", mark));
    }

    [RootTheory]
    [InlineData(ProxyClient.NetHttp)]
    [InlineData(ProxyClient.Curl)]
    public async Task Plain_http_secret_and_injection_are_blocked(ProxyClient client)
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = TestSecrets.GitHubToken();
        var leak = await _agent.SendAsync(client, _agent.HttpUrl("/leak/" + marker), "POST", "token=" + secret,
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" });
        Assert.True(leak.Succeeded, leak.ToString());
        Assert.Equal(403, leak.Status);
        Assert.DoesNotContain(_agent.Http.Requests, q => q.PathAndQuery.Contains(marker, StringComparison.Ordinal) || q.BodyText.Contains(secret, StringComparison.Ordinal));

        var path = "/inject/" + marker;
        _agent.Http.Map(path, 200, InjectedPage.Create().Body);
        var inject = await _agent.SendAsync(client, _agent.HttpUrl(path));
        Assert.True(inject.Succeeded, inject.ToString());
        Assert.Equal(403, inject.Status);
        Assert.Single(_agent.Http.Requests, q => q.Path == path);
    }

    [RootTheory]
    [InlineData(ProxyClient.NetHttp)]
    [InlineData(ProxyClient.Faraday)]
    [InlineData(ProxyClient.Curl)]
    public async Task Passthrough_domain_is_spliced_and_the_client_sees_the_upstreams_own_certificate(ProxyClient client)
    {
        var tag = Guid.NewGuid().ToString("N");
        var mark = _agent.Process.LineCount;

        // Trusting only the test CA: a bumped tunnel (agent-CA leaf) would fail the handshake.
        var r = await _agent.SendAsync(client, _agent.SpliceUrl("/echo?splice=" + tag), caFile: _agent.Pki.CaPemPath);

        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(200, r.Status);
        var seen = Assert.Single(_agent.Https.Requests, q => q.PathAndQuery.Contains(tag, StringComparison.Ordinal));
        Assert.Equal(ProxyAgent.SpliceHost, seen.TlsServerName);
        Assert.Equal($"{ProxyAgent.SpliceHost}:{_agent.Https.Port}", seen.Header("Host"));
        var open = await _agent.WaitForEventAsync("tunnel_open", e => e.GetProperty("target").GetString() == $"{ProxyAgent.SpliceHost}:{_agent.Https.Port}", mark);
        Assert.False(open.GetProperty("intercept").GetBoolean());
        Assert.Empty(_agent.Events("tls_intercept", mark));
    }

    [RootFact]
    public async Task Trust_proves_which_tunnels_are_bumped()
    {
        // The spliced host with only the agent's CA: the upstream's own certificate is untrusted.
        var spliced = await _agent.SendAsync(ProxyClient.Curl, _agent.SpliceUrl("/echo?trust=agent-ca"));
        Assert.False(spliced.Succeeded, spliced.ToString());
        // The bumped host with only the test CA: the agent's leaf is untrusted, and nothing reaches the upstream.
        var bumped = await _agent.SendAsync(ProxyClient.Curl, _agent.Url("/echo?trust=test-ca"), caFile: _agent.Pki.CaPemPath);
        Assert.False(bumped.Succeeded, bumped.ToString());
        Assert.DoesNotContain(_agent.Https.Requests, q => q.PathAndQuery.Contains("trust=", StringComparison.Ordinal));
    }
}
