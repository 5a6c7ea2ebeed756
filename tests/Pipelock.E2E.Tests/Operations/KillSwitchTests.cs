using System.Net;
using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Operations;

/// <summary>
/// The kill switch from each of its four sources, against traffic that is already flowing: a spliced CONNECT tunnel
/// carrying a slow SSE stream, an SSE stream relayed through a bumped tunnel and one relayed over plain HTTP are all cut at the read in progress
/// (far short of their natural end), new requests get 503, and turning the source off restores service.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class KillSwitchTests
{
    private const int StreamEvents = 300; // 30 s at 100 ms: long enough that only a cut ends it early
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StreamLimit = TimeSpan.FromSeconds(120);

    public enum Source
    {
        Config,
        Api,
        Signal,
        Sentinel,
    }

    [RootTheory]
    [InlineData(Source.Config)]
    [InlineData(Source.Api)]
    [InlineData(Source.Signal)]
    [InlineData(Source.Sentinel)]
    public async Task Source_cuts_open_streams_denies_new_requests_and_restores_service(Source source)
    {
        await using var agent = await ProxyAgent.StartAsync();
        var sse = $"/sse?n={StreamEvents}&delayMs=100";
        var spliced = Curl.StreamAsync(agent.SpliceUrl(sse), new CurlRequest { Proxy = agent.ProxyUri, CaFile = agent.Pki.CaPemPath, Timeout = StreamLimit });
        var bumped = Curl.StreamAsync(agent.Url(sse), new CurlRequest { Proxy = agent.ProxyUri, CaFile = agent.AgentCaPath, Timeout = StreamLimit });
        // And one over plain HTTP (absolute-form, no tunnel at all: only the relay's own link to the switch can cut it).
        var plainStream = Curl.StreamAsync(agent.HttpUrl(sse), new CurlRequest { Proxy = agent.ProxyUri, Timeout = StreamLimit });
        // All streams flowing (five events written on each, so the client has had the first) before the switch flips.
        await (await agent.Https.WaitForSseStreamAsync(Wait, 0)).WaitForEventAsync(5, Wait);
        await (await agent.Https.WaitForSseStreamAsync(Wait, 1)).WaitForEventAsync(5, Wait);
        await (await agent.Http.WaitForSseStreamAsync(Wait, 0)).WaitForEventAsync(5, Wait);
        var mark = agent.Process.LineCount;

        await SetAsync(agent, source, on: true);
        await agent.WaitForEventAsync("kill_switch", e => Is(e, source, active: true), mark);

        foreach (var (name, run) in new[] { ("spliced", spliced), ("bumped", bumped), ("plain", plainStream) })
        {
            var r = await run;
            var events = r.Lines.Count(l => l.Text.StartsWith("data: event ", StringComparison.Ordinal));
            Assert.True(events >= 1 && events < StreamEvents, $"{name}: {events} events\n{r}");
            // Cut, not finished and not timed out: curl reports the broken transfer (18/56), never success (0) or its --max-time (28).
            Assert.True(r.ExitCode is not 0 and not 28, $"{name}: curl exit {r.ExitCode}\n{r}");
        }
        var close = await agent.WaitForEventAsync("tunnel_close", e => e.GetProperty("target").GetString()!.StartsWith(ProxyAgent.SpliceHost, StringComparison.Ordinal), mark);
        Assert.Equal("kill_switch", close.GetProperty("end").GetString());

        // New work is refused while the switch is on: a CONNECT, an absolute-form request; /health stays exempt.
        var connect = await Curl.RequestAsync(agent.Url("/echo?after=kill"), new CurlRequest { Proxy = agent.ProxyUri, CaFile = agent.AgentCaPath, Timeout = Wait });
        Assert.Equal(503, connect.ConnectStatus);
        var plain = await agent.SendAsync(ProxyClient.NetHttp, agent.HttpUrl("/echo?after=kill"));
        Assert.True(plain.Succeeded, plain.ToString());
        Assert.Equal(503, plain.Status);
        Assert.Equal("kill switch active", JsonDocument.Parse(plain.Body).RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain(agent.Https.Requests.Concat(agent.Http.Requests), q => q.PathAndQuery.Contains("after=kill", StringComparison.Ordinal));
        var (status, health) = await agent.OwnEndpointAsync("/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonDocument.Parse(health).RootElement.GetProperty("kill_switch_active").GetBoolean());

        mark = agent.Process.LineCount;
        await SetAsync(agent, source, on: false);
        await agent.WaitForEventAsync("kill_switch", e => Is(e, source, active: false), mark);

        var again = await agent.SendAsync(ProxyClient.Curl, agent.Url("/echo?after=restore"));
        Assert.True(again.Succeeded, again.ToString());
        Assert.Equal(200, again.Status);
        var splicedAgain = await agent.SendAsync(ProxyClient.NetHttp, agent.SpliceUrl("/echo?after=restore-splice"), caFile: agent.Pki.CaPemPath);
        Assert.True(splicedAgain.Succeeded, splicedAgain.ToString());
        Assert.Equal(200, splicedAgain.Status);
        Assert.False(JsonDocument.Parse((await agent.OwnEndpointAsync("/health")).Body).RootElement.GetProperty("kill_switch_active").GetBoolean());
    }

    [RootFact]
    public async Task Api_rejects_a_wrong_token_and_unknown_fields()
    {
        await using var agent = await ProxyAgent.StartAsync();
        const string path = "/api/v1/killswitch";

        var noToken = await agent.OwnEndpointAsync(path, HttpMethod.Post, """{"active":true}""");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Status);
        var wrong = await agent.OwnEndpointAsync(path, HttpMethod.Post, """{"active":true}""", bearer: TestSecrets.Alphanumeric(40));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        var prefix = await agent.OwnEndpointAsync(path, HttpMethod.Post, """{"active":true}""", bearer: agent.ApiToken[..^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, prefix.Status);

        var unknown = await agent.OwnEndpointAsync(path, HttpMethod.Post, """{"active":true,"reason":"drill"}""", bearer: agent.ApiToken);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("reason", JsonDocument.Parse(unknown.Body).RootElement.GetProperty("error").GetString());
        var notBool = await agent.OwnEndpointAsync(path, HttpMethod.Post, """{"active":"yes"}""", bearer: agent.ApiToken);
        Assert.Equal(HttpStatusCode.BadRequest, notBool.Status);

        // None of that changed anything.
        var status = await agent.OwnEndpointAsync(path + "/status", bearer: agent.ApiToken);
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.False(JsonDocument.Parse(status.Body).RootElement.GetProperty("active").GetBoolean());
        var r = await agent.SendAsync(ProxyClient.Curl, agent.Url("/echo?after=rejected-api-calls"));
        Assert.Equal(200, r.Status);
        Assert.Empty(agent.Events("kill_switch"));
    }

    private static async Task SetAsync(ProxyAgent agent, Source source, bool on)
    {
        switch (source)
        {
            case Source.Config:
                await agent.ReloadAsync(agent.Settings with { KillSwitch = on });
                break;
            case Source.Api:
                var (status, body) = await agent.OwnEndpointAsync("/api/v1/killswitch", HttpMethod.Post, on ? """{"active":true}""" : """{"active":false}""", bearer: agent.ApiToken);
                Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
                Assert.Equal(on, JsonDocument.Parse(body).RootElement.GetProperty("active").GetBoolean());
                break;
            case Source.Signal:
                agent.Process.Signal(AgentProcess.SIGUSR1); // a toggle
                break;
            case Source.Sentinel:
                if (on) await File.WriteAllTextAsync(agent.SentinelPath, "drill\n");
                else File.Delete(agent.SentinelPath);
                break;
        }
    }

    private static bool Is(JsonElement e, Source source, bool active) =>
        e.GetProperty("source").GetString() == source.ToString().ToLowerInvariant() && e.GetProperty("active").GetBoolean() == active;
}
