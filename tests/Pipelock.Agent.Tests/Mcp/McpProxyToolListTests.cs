using System.Net;
using static Pipelock.Agent.Tests.Mcp.McpMessages;

namespace Pipelock.Agent.Tests.Mcp;

/// <summary>
/// tools/list on the proxy: poisoning over whole schemas (warn by default, block on request), drift between two
/// lists, and session binding (the first clean list pins the inventory; unknown tools are flagged or refused). Each
/// test has its own host: drift baselines and bindings are listener state.
/// </summary>
public sealed class McpProxyToolListTests
{
    [Fact]
    public async Task PoisonedToolsList_WarnByDefault_LoggedAndPassesUnchanged()
    {
        await using var h = await McpProxyHarness.StartAsync();
        h.Upstream.ToolsJson = PoisonedTools;

        using var r = await h.PostAsync(ToolsList(1));
        var text = await r.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("<IMPORTANT>", text);
        Assert.True(await h.MetricAsync("pipelock_scanner_hits_total", "scanner=\"tool_poisoning\"") >= 1);
        Assert.NotNull(await h.LogEventAsync("tool_poisoning"));
    }

    [Fact]
    public async Task PoisonedToolsList_ActionBlock_BecomesError32001()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_tool_scanning:\n  enabled: true\n  action: block\n");
        h.Upstream.ToolsJson = PoisonedTools;

        var (status, json) = await h.CallAsync(ToolsList(2));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, json.GetProperty("id").GetInt32());
        Assert.Equal(-32001, json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.DoesNotContain("IMPORTANT", json.GetRawText());
        Assert.True(await h.MetricAsync("pipelock_reverse_proxy_scan_blocked_total", "direction=\"response\"", "reason=\"tool_poisoning\"") >= 1);
    }

    [Fact]
    public async Task CredentialDirectiveInSchema_CoreFloor_BlockedEvenOnWarn()
    {
        await using var h = await McpProxyHarness.StartAsync();
        h.Upstream.ToolsJson = CredentialPoisonedTools;

        var (_, json) = await h.CallAsync(ToolsList(12));

        Assert.Equal(-32001, json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.DoesNotContain("id_rsa", json.GetRawText());
    }

    [Fact]
    public async Task ChangedDescription_OnSecondList_DriftLogged()
    {
        await using var h = await McpProxyHarness.StartAsync();
        using (var first = await h.PostAsync(ToolsList(3))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(0, await h.MetricAsync("pipelock_scanner_hits_total", "scanner=\"tool_drift\""));

        h.Upstream.ToolsJson = SureMcpEmulator.DefaultTools.Replace("Get the user's accounts with balances", "Get the user's accounts with balances and their login", StringComparison.Ordinal);
        using var second = await h.PostAsync(ToolsList(4));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("and their login", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await h.MetricAsync("pipelock_scanner_hits_total", "scanner=\"tool_drift\""));
        var drift = await h.LogEventAsync("tool_drift");
        Assert.NotNull(drift);
        Assert.Contains("get_accounts", drift.Value.GetRawText());
    }

    [Fact]
    public async Task UnknownToolAfterBinding_FlaggedByDefault()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_session_binding:\n  enabled: true\n");
        using (var list = await h.PostAsync(ToolsList(5))) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        var (knownStatus, known) = await h.CallAsync(Call(6, "get_accounts", "{}"));
        Assert.Equal(HttpStatusCode.OK, knownStatus);
        Assert.True(known.TryGetProperty("result", out _));
        Assert.Equal(0, await h.MetricAsync("pipelock_scanner_hits_total", "scanner=\"mcp_unknown_tool\""));

        var marker = Marker();
        var (status, json) = await h.CallAsync(Call(7, "export_everything", $"{{\"m\":\"{marker}\"}}"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, h.Upstream.CountReceived(marker));
        Assert.Equal(1, await h.MetricAsync("pipelock_scanner_hits_total", "scanner=\"mcp_unknown_tool\""));
        Assert.NotNull(await h.LogEventAsync("mcp_unknown_tool", e => McpProxyHarness.HasFinding(e, "mcp_unknown_tool", "Unknown Tool")));
    }

    [Fact]
    public async Task UnknownToolAfterBinding_ActionBlock_Refused()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_session_binding:\n  enabled: true\n  unknown_tool_action: block\n");
        using (var list = await h.PostAsync(ToolsList(8))) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        var marker = Marker();
        var (_, json) = await h.CallAsync(Call(9, "export_everything", $"{{\"m\":\"{marker}\"}}"));

        Assert.Equal(-32001, json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(0, h.Upstream.CountReceived(marker));
    }

    [Fact]
    public async Task PoisonedList_IsNotPinnedAsTheBaseline()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_session_binding:\n  enabled: true\n  no_baseline_action: block\n");
        h.Upstream.ToolsJson = PoisonedTools;
        using (var list = await h.PostAsync(ToolsList(10))) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        // The poisoned list passed (warn) but did not become the inventory: calls have no baseline yet.
        var (_, json) = await h.CallAsync(Call(11, "get_accounts", "{}"));
        Assert.Equal(-32001, json.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task SelfChosenSessionId_DoesNotEscapeTheBinding()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_session_binding:\n  enabled: true\n  unknown_tool_action: block\n");
        using (var list = await h.PostAsync(ToolsList(13))) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        // Sure never issues Mcp-Session-Id: a client inventing one is still the same token-and-address session.
        var marker = Marker();
        using var r = await h.PostAsync(Call(14, "export_everything", $"{{\"m\":\"{marker}\"}}"),
            configure: req => req.Headers.Add("Mcp-Session-Id", "fresh-" + marker));
        using var doc = System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync());

        Assert.Equal(-32001, doc.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(0, h.Upstream.CountReceived(marker));
    }

    [Fact]
    public async Task UpstreamIssuedSessionId_KeysTheSession()
    {
        await using var h = await McpProxyHarness.StartAsync("mcp_session_binding:\n  enabled: true\n  unknown_tool_action: block\n");
        var sid = "sess-" + Marker();
        h.Upstream.IssueSessionId = sid;
        using (var init = await h.PostAsync(Initialize(15))) Assert.Equal(sid, init.Headers.GetValues("Mcp-Session-Id").Single());
        using (var list = await h.PostAsync(ToolsList(16), configure: req => req.Headers.Add("Mcp-Session-Id", sid))) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        var (_, outside) = await h.CallAsync(Call(17, "export_everything", "{}"));
        using var r = await h.PostAsync(Call(18, "export_everything", "{}"), configure: req => req.Headers.Add("Mcp-Session-Id", sid));
        using var inside = System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync());

        // Without the session id the call has no pinned inventory yet (no_baseline_action: warn): it passes.
        Assert.False(outside.TryGetProperty("error", out var e) && e.GetProperty("code").GetInt32() == -32001);
        Assert.Equal(-32001, inside.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }
}
