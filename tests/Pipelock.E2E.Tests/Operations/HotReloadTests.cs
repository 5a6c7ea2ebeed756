using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pipelock.E2E.Tests.Forward;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Operations;

/// <summary>
/// Hot reload of the config file under live traffic: an invalid file is refused with the reason logged and the old
/// config keeps working; a valid change takes effect for new requests without a restart while tunnels opened before it
/// (spliced and bumped, each mid-stream) run to their end.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class HotReloadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [RootFact]
    public async Task Invalid_config_is_refused_with_the_reason_and_the_old_one_keeps_working()
    {
        await using var agent = await ProxyAgent.StartAsync(new AgentSettings { ResponseAction = "block" });
        var injected = "/reload-invalid/inject";
        agent.Https.Map(injected, 200, InjectedPage.Create().Body);

        // A value the schema refuses (written in place, as `echo > file` would) ...
        var mark = await agent.WriteConfigAsync(agent.ConfigYaml(agent.Settings).Replace("action: block\n  include_defaults", "action: explode\n  include_defaults", StringComparison.Ordinal), inPlace: true);
        var refused = await agent.WaitForEventAsync("config_reload", e => !e.GetProperty("ok").GetBoolean(), mark);
        Assert.Contains("response_scanning.action", refused.GetProperty("errors").GetString());
        Assert.Contains("explode", refused.GetProperty("errors").GetString());
        Assert.Equal("previous config", refused.GetProperty("kept").GetString());
        await AssertStillBlockingAsync(agent, injected, "after the refused value");

        // ... and a file that is not YAML at all (replaced atomically).
        mark = await agent.WriteConfigAsync("version: 1\nresponse_scanning: [unclosed\n  action: warn\n");
        refused = await agent.WaitForEventAsync("config_reload", e => !e.GetProperty("ok").GetBoolean(), mark);
        Assert.False(string.IsNullOrWhiteSpace(refused.GetProperty("errors").GetString()));
        await AssertStillBlockingAsync(agent, injected, "after the unparseable file");
        Assert.DoesNotContain(agent.Events("config_reload"), e => e.GetProperty("ok").GetBoolean());
        Assert.Null(agent.Process.ExitCode);
    }

    [RootFact]
    public async Task Valid_change_takes_effect_without_restart_and_open_tunnels_survive()
    {
        await using var agent = await ProxyAgent.StartAsync(new AgentSettings { ResponseAction = "warn" });
        var pid = agent.Process.Pid;
        var injected = "/reload-valid/inject";
        var page = InjectedPage.Create().Body;
        agent.Https.Map(injected, 200, page);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var splicedStarted = MapGatedStream(agent, "/gated/spliced", gate.Task);
        var bumpedStarted = MapGatedStream(agent, "/gated/bumped", gate.Task);

        var warned = await agent.SendAsync(ProxyClient.Curl, agent.Url(injected));
        Assert.Equal(200, warned.Status);
        Assert.Equal(ProxyClients.Sha256Hex(page), warned.BodySha256);

        // Two streams open, each with its first events delivered, held open by the upstream until the gate opens.
        var spliced = Curl.StreamAsync(agent.SpliceUrl("/gated/spliced"), new CurlRequest { Proxy = agent.ProxyUri, CaFile = agent.Pki.CaPemPath, Timeout = Wait });
        var bumped = Curl.StreamAsync(agent.Url("/gated/bumped"), new CurlRequest { Proxy = agent.ProxyUri, CaFile = agent.AgentCaPath, Timeout = Wait });
        await splicedStarted.WaitAsync(Wait);
        await bumpedStarted.WaitAsync(Wait);

        var reload = await agent.ReloadAsync(agent.Settings with { ResponseAction = "block" });
        Assert.Equal(2, reload.GetProperty("generation").GetInt32());

        var blocked = await agent.SendAsync(ProxyClient.NetHttp, agent.Url(injected));
        Assert.True(blocked.Succeeded, blocked.ToString());
        Assert.Equal(403, blocked.Status);
        Assert.False(spliced.IsCompleted || bumped.IsCompleted, "a stream ended before the gate opened:\n" + agent.Process.Output);

        gate.SetResult();
        foreach (var (name, run) in new[] { ("spliced", spliced), ("bumped", bumped) })
        {
            var r = await run;
            Assert.True(r.ExitCode == 0 && r.HttpStatus == 200, $"{name}\n{r}");
            Assert.Equal(["data: before 1", "data: before 2", "data: before 3", "data: after 1", "data: after 2", "data: after 3"],
                r.Lines.Where(l => l.Text.StartsWith("data:", StringComparison.Ordinal)).Select(l => l.Text));
        }
        Assert.Equal(pid, agent.Process.Pid);
        Assert.Null(agent.Process.ExitCode);
        var (status, health) = await agent.OwnEndpointAsync("/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonDocument.Parse(health).RootElement.GetProperty("uptime_seconds").GetDouble() >= 0);
    }

    [RootFact]
    public async Task Configmap_symlink_swap_and_sighup_both_reload()
    {
        // Sure's Helm chart mounts pipelock.yaml from a ConfigMap: updates arrive as a "..data" symlink swap.
        await using var agent = await ProxyAgent.StartAsync(new AgentSettings { ResponseAction = "warn" }, configMapLayout: true);
        var injected = "/reload-configmap/inject";
        agent.Https.Map(injected, 200, InjectedPage.Create().Body);
        Assert.Equal(200, (await agent.SendAsync(ProxyClient.Curl, agent.Url(injected))).Status);

        var reload = await agent.ReloadAsync(agent.Settings with { ResponseAction = "block" });
        Assert.Equal("file", reload.GetProperty("trigger").GetString());
        Assert.Equal(403, (await agent.SendAsync(ProxyClient.Curl, agent.Url(injected))).Status);

        // SIGHUP reloads the same file on demand (here: no change, a new generation).
        var mark = agent.Process.LineCount;
        agent.Process.Signal(AgentProcess.SIGHUP);
        var hup = await agent.WaitForEventAsync("config_reload", e => e.GetProperty("trigger").GetString() == "sighup", mark);
        Assert.True(hup.GetProperty("ok").GetBoolean(), hup.ToString());
        Assert.Equal(reload.GetProperty("generation").GetInt32() + 1, hup.GetProperty("generation").GetInt32());
        Assert.Equal(403, (await agent.SendAsync(ProxyClient.Curl, agent.Url(injected))).Status);
        Assert.Null(agent.Process.ExitCode);
    }

    private static async Task AssertStillBlockingAsync(ProxyAgent agent, string injected, string when)
    {
        var clean = await agent.SendAsync(ProxyClient.Curl, agent.Url("/echo?when=" + Uri.EscapeDataString(when)));
        Assert.True(clean.Succeeded && clean.Status == 200, when + "\n" + clean);
        var blocked = await agent.SendAsync(ProxyClient.Curl, agent.Url(injected));
        Assert.True(blocked.Status == 403, when + "\n" + blocked);
        var (status, _) = await agent.OwnEndpointAsync("/health");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>An event stream that writes three events, waits for <paramref name="gate"/>, then writes three more and ends.</summary>
    private static Task MapGatedStream(ProxyAgent agent, string path, Task gate)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.Https.Map(path, async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            for (var i = 1; i <= 3; i++)
            {
                await ctx.Response.WriteAsync($"data: before {i}\n\n", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
            started.TrySetResult();
            await gate.WaitAsync(Wait, ctx.RequestAborted);
            for (var i = 1; i <= 3; i++)
            {
                await ctx.Response.WriteAsync($"data: after {i}\n\n", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        });
        return started.Task;
    }
}
