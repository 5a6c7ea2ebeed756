using System.Globalization;
using System.Net;
using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Operations;

/// <summary>
/// Sure's shipped pipelock.yaml files (read from the shared reference directory, never copied) run with the compose
/// command line, and <c>pipelock healthcheck</c> (the compose HEALTHCHECK) reports the live agent healthy and a closed
/// port unhealthy.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class ComposeConfigTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("sure-pipelock.example.yaml")]
    [InlineData("sure-pipelock.example.v2.0.yaml")]
    public async Task Fixture_config_runs_with_the_compose_command_line(string fixture)
    {
        var config = Path.Combine(RepoPaths.SharedDir, "reference", "fixtures", fixture);
        Assert.True(File.Exists(config), config);
        await using var internalService = await RecordingUpstream.StartAsync();
        int port = FreePort.Get(), mcpPort = FreePort.Get();
        var listen = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

        await using var agent = await AgentProcess.StartAsync(
            ["run", "--config", config, "--listen", listen, "--mcp-listen", "127.0.0.1:" + mcpPort.ToString(CultureInfo.InvariantCulture),
             "--mcp-upstream", new Uri(internalService.BaseUri, "mcp").ToString()],
            healthUrl: new Uri($"http://{listen}/health"), timeout: ProxyAgent.StartTimeout);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Wait };
        using var res = await http.GetAsync(new Uri($"http://{listen}/health"));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var health = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("balanced", health.GetProperty("mode").GetString());
        Assert.True(health.GetProperty("forward_proxy_enabled").GetBoolean());
        Assert.True(health.GetProperty("response_scan_enabled").GetBoolean());
        Assert.True(health.GetProperty("request_body_scan_enabled").GetBoolean());
        Assert.False(health.GetProperty("kill_switch_active").GetBoolean());

        var check = await AgentProcess.RunToExitAsync(["healthcheck", "--addr", listen], Wait);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal("healthy", check.Stdout.Trim());

        // The compose config protects, not just starts: the internal service is out of reach (SSRF) through the proxy.
        var ssrf = await Curl.RequestAsync(new Uri(internalService.BaseUri, "echo?through=proxy").ToString(),
            new CurlRequest { Proxy = new Uri("http://" + listen), Timeout = Wait });
        Assert.True(ssrf.ExitCode == 0, ssrf.ToString());
        Assert.Equal(403, ssrf.HttpStatus);
        Assert.DoesNotContain(internalService.Requests, r => r.PathAndQuery.Contains("through=proxy", StringComparison.Ordinal));
        Assert.Null(agent.ExitCode);
    }

    [Fact]
    public async Task Healthcheck_exits_1_against_a_closed_port()
    {
        var port = FreePort.Get(); // bound and released: nothing listens there now
        var check = await AgentProcess.RunToExitAsync(["healthcheck", "--addr", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)], Wait);
        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.StartsWith("unhealthy", check.Stdout.Trim());
    }
}
