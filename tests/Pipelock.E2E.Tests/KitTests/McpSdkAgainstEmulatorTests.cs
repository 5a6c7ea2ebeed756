using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.KitTests;

/// <summary>
/// The official MCP C# SDK (2.4.0) talks to the Sure emulator directly, no agent in between. Observed and pinned here:
/// 1. The SDK first sends <c>server/discover</c> (draft protocol 2026-07-28 in _meta); Sure answers -32601 and the SDK
///    logs a warning and falls back to <c>initialize</c> (asking 2025-11-25), then accepts Sure's 2025-03-26.
/// 2. The 204 Sure gives <c>notifications/initialized</c> is accepted silently (the spec says 202; any 2xx passes).
/// 3. With the default EnableStandaloneGetStream the SDK opens one <c>GET /mcp</c> (Accept: text/event-stream) after
///    initialize; Sure's 404 makes it give up on that stream silently, once, without failing the session. The proxy
///    answers that GET with 405 (the spec's "no SSE stream here") rather than pass Sure's 404, which the spec reserves
///    for "session not found".
/// 4. No Mcp-Session-Id, so no DELETE on dispose.
/// AutoDetect mode behaves the same (it settles on Streamable HTTP from the first POST; no SSE fallback).
/// </summary>
public sealed class McpSdkAgainstEmulatorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(HttpTransportMode.StreamableHttp)]
    [InlineData(HttpTransportMode.AutoDetect)]
    public async Task Sdk_lists_and_calls_tools_despite_get_404_and_204_notifications(HttpTransportMode mode)
    {
        await using var emu = await SureMcpEmulator.StartAsync();
        var client = await McpSdkClient.ConnectAsync(emu.McpUri, emu.Token, mode);
        try
        {
            var tools = await client.ListToolsAsync();
            Assert.Equal(SureTools.Default.Select(t => t.Name), tools.Select(t => t.Name));
            Assert.All(tools, t => Assert.False(t.JsonSchema.GetProperty("additionalProperties").GetBoolean()));

            var result = await client.CallToolAsync("get_accounts", new Dictionary<string, object?> { ["include_balance_series"] = false });
            Assert.NotEqual(true, result.IsError);
            Assert.Equal("Checking", (string?)JsonNode.Parse(McpSdkClient.Text(result))!["accounts"]![0]!["name"]);

            // The standalone GET runs in the background; wait for it rather than assume it already happened.
            var get = await emu.WaitForRequestAsync(r => r.HttpMethod == "GET" && r.Path == "/mcp", Wait);
            Assert.Contains("text/event-stream", get.Headers["Accept"]);
        }
        finally
        {
            await client.DisposeAsync();
        }

        var posted = emu.Requests.Where(r => r.HttpMethod == "POST").Select(r => r.RpcMethod).ToList();
        Assert.Equal(["server/discover", "initialize", "notifications/initialized", "tools/list", "tools/call"], posted);
        Assert.Equal("2025-11-25", (string?)emu.Requests.Single(r => r.RpcMethod == "initialize").TryParse()!["params"]!["protocolVersion"]);
        Assert.Single(emu.Requests, r => r.HttpMethod == "GET");     // tried once, not retried after the 404
        Assert.DoesNotContain(emu.Requests, r => r.HttpMethod == "DELETE"); // no session id, nothing to end
        Assert.All(emu.Requests, r => Assert.True(r.Authorized));
        Assert.Contains(client.Log, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("server/discover"));
        Assert.DoesNotContain(client.Log, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
        if (mode == HttpTransportMode.AutoDetect) Assert.Contains(client.Log, l => l.Contains("using Streamable HTTP transport"));
    }

    [Fact]
    public async Task Without_the_standalone_stream_the_sdk_never_sends_get()
    {
        await using var emu = await SureMcpEmulator.StartAsync();
        await using (var client = await McpSdkClient.ConnectAsync(emu.McpUri, emu.Token, enableStandaloneGetStream: false))
        {
            Assert.NotEmpty(await client.ListToolsAsync());
        }
        Assert.DoesNotContain(emu.Requests, r => r.HttpMethod != "POST");
    }

    [Fact]
    public async Task Sdk_sees_unknown_tool_as_protocol_error_and_raising_tool_as_isError()
    {
        await using var emu = await SureMcpEmulator.StartAsync();
        emu.SetToolError("get_tags", "database unavailable");
        await using var client = await McpSdkClient.ConnectAsync(emu.McpUri, emu.Token, enableStandaloneGetStream: false);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("drop_tables"));
        Assert.Equal(-32602, (int)error.ErrorCode);
        Assert.Contains("Unknown tool: drop_tables", error.Message);

        var failed = await client.CallToolAsync("get_tags");
        Assert.True(failed.IsError);
        Assert.Equal("""{"error":"database unavailable"}""", McpSdkClient.Text(failed));
    }

    [Fact]
    public async Task Sdk_sees_poisoning_drift_and_a_new_tool_on_relisting()
    {
        await using var emu = await SureMcpEmulator.StartAsync();
        await using var client = await McpSdkClient.ConnectAsync(emu.McpUri, emu.Token, enableStandaloneGetStream: false);
        var first = await client.ListToolsAsync();

        emu.PoisonedToolsList = true;
        emu.DescriptionSuffix = " Updated.";
        emu.ExtraTool = true;
        var second = await client.ListToolsAsync();

        Assert.Contains("<IMPORTANT>", second.Single(t => t.Name == SureMcpEmulator.PoisonedTool).Description);
        Assert.EndsWith(" Updated.", second.Single(t => t.Name == "get_accounts").Description);
        Assert.Equal(first.Count + 1, second.Count);
        Assert.Contains(second, t => t.Name == SureMcpEmulator.ExtraToolName);
    }

    [Fact]
    public async Task Sdk_with_a_wrong_token_fails_to_connect_on_the_401()
    {
        await using var emu = await SureMcpEmulator.StartAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => McpSdkClient.ConnectAsync(emu.McpUri, "not-the-token", enableStandaloneGetStream: false));
        Assert.DoesNotContain(emu.Requests, r => r.Authorized);
        Assert.Contains("401", e.ToString());
    }
}
