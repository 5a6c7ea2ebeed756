using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipelock.E2E.Tests.Forward;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Operations;

/// <summary>/health, /metrics and /stats of the live agent account for the traffic it handled, and are the agent's own only for origin-form requests.</summary>
[Collection(AgentCollection.Name)]
public sealed partial class EndpointsTests : IClassFixture<BlockingAgentFixture>
{
    private readonly ProxyAgent _agent;

    public EndpointsTests(BlockingAgentFixture fixture) => _agent = NamespaceSupport.WhyNot is null ? fixture.Agent : null!;

    [RootFact]
    public async Task Stats_and_metrics_count_what_went_through()
    {
        var stats0 = await StatsAsync();
        var metrics0 = await MetricsAsync();

        Assert.Equal(200, (await _agent.SendAsync(ProxyClient.Curl, _agent.Url("/echo?count=allowed"))).Status);
        Assert.Equal(403, (await _agent.SendAsync(ProxyClient.Curl, _agent.Url("/echo?key=" + TestSecrets.AwsAccessKeyId()))).Status);
        Assert.Equal(200, (await _agent.SendAsync(ProxyClient.Curl, _agent.SpliceUrl("/echo?count=spliced"), caFile: _agent.Pki.CaPemPath)).Status);

        var stats1 = await StatsAsync();
        var metrics1 = await MetricsAsync();
        Assert.Equal(2, Requests(stats1, "total") - Requests(stats0, "total"));
        Assert.Equal(1, Requests(stats1, "allowed") - Requests(stats0, "allowed"));
        Assert.Equal(1, Requests(stats1, "blocked") - Requests(stats0, "blocked"));
        Assert.Equal(3, stats1.GetProperty("tunnels").GetInt64() - stats0.GetProperty("tunnels").GetInt64());
        Assert.Equal(1, Sample(metrics1, "pipelock_requests_total{result=\"blocked\"") - Sample(metrics0, "pipelock_requests_total{result=\"blocked\""));
        Assert.Equal(1, Sample(metrics1, "pipelock_requests_total{result=\"allowed\"") - Sample(metrics0, "pipelock_requests_total{result=\"allowed\""));
        Assert.Equal(2, Sample(metrics1, "pipelock_tls_intercept_total{outcome=\"bumped\"") - Sample(metrics0, "pipelock_tls_intercept_total{outcome=\"bumped\""));
        Assert.Equal(0, Sample(metrics1, "pipelock_kill_switch_active{source=\"api\""));
    }

    [RootFact]
    public async Task A_proxied_request_for_some_hosts_health_goes_to_that_host()
    {
        // Absolute-form /health names another origin: the agent forwards it instead of answering for itself.
        var before = _agent.Http.Requests.Count(q => q.Path == "/health");
        var r = await _agent.SendAsync(ProxyClient.NetHttp, _agent.HttpUrl("/health"));
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(404, r.Status); // the recording upstream has no /health
        Assert.Equal(before + 1, _agent.Http.Requests.Count(q => q.Path == "/health"));

        var (status, body) = await _agent.OwnEndpointAsync("/health");
        Assert.Equal(HttpStatusCode.OK, status);
        var health = JsonDocument.Parse(body).RootElement;
        Assert.True(health.GetProperty("tls_interception_enabled").GetBoolean());
        Assert.True(health.GetProperty("forward_proxy_enabled").GetBoolean());
    }

    private async Task<JsonElement> StatsAsync()
    {
        var (status, body) = await _agent.OwnEndpointAsync("/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> MetricsAsync()
    {
        var (status, body) = await _agent.OwnEndpointAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static long Requests(JsonElement stats, string name) => stats.GetProperty("requests").GetProperty(name).GetInt64();

    /// <summary>The value of the first sample whose line starts with <paramref name="prefix"/> (0 when absent).</summary>
    private static double Sample(string exposition, string prefix)
    {
        foreach (var line in exposition.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return double.Parse(SampleValue().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    [GeneratedRegex(@"\}\s+(\S+)$")]
    private static partial Regex SampleValue();
}
