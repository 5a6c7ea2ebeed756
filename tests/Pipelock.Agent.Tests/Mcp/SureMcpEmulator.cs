using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pipelock.Agent.Tests.Mcp;

/// <summary>What the emulator received: the body and the headers the proxy is expected to pass (or set).</summary>
public sealed record ReceivedRequest(string Body, string? Host, string? Authorization, string? SessionId, string? ProtocolVersion, string? AcceptEncoding);

/// <summary>
/// A compact stand-in for Sure's <c>POST /mcp</c> (sure-integration.md §2): bearer token or 401 with
/// WWW-Authenticate, 204 for notifications, initialize / tools/list / tools/call with results as JSON strings,
/// -32601 for other methods, 404 for anything but POST /mcp, application/json only, no Mcp-Session-Id. Records every
/// body it gets. Tests can swap the tool list, the result text, or the whole answer (<see cref="Override"/>) to play
/// a hostile or broken server (forged ids, SSE, 500s).
/// </summary>
public sealed class SureMcpEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SureMcpEmulator(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    public string Token { get; }
    public Uri McpUrl { get; private set; } = null!;
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>The <c>tools</c> array tools/list returns (JSON).</summary>
    public string ToolsJson { get; set; } = DefaultTools;

    /// <summary>The text of a tools/call result for (tool name, arguments JSON); default is a get_accounts-like payload.</summary>
    public Func<string, string, string> ToolResult { get; set; } = static (_, _) => AccountsResult;

    /// <summary>When it returns a value for a body, that answer is sent instead: (status, content type, body).</summary>
    public Func<string, (int Status, string ContentType, string Body)?>? Override { get; set; }

    /// <summary>When it returns true for a body, it has written the answer itself (streams that take their time).</summary>
    public Func<string, HttpContext, Task<bool>>? StreamOverride { get; set; }

    /// <summary>Set on every answer when not null (Sure never sets one; a full Streamable-HTTP server does).</summary>
    public string? IssueSessionId { get; set; }

    public const string AccountsResult =
        "{\"as_of_date\":\"2026-08-22\",\"accounts\":[{\"id\":\"6f1c2a4e-8d3b-4c55-9a0e-2b7d1f3c9e10\",\"name\":\"Checking\",\"balance\":\"1234.56\",\"currency\":\"USD\",\"balance_formatted\":\"$1,234.56\",\"classification\":\"asset\",\"type\":\"Depository\"}]}";

    public const string DefaultTools =
        "[{\"name\":\"get_accounts\",\"description\":\"Get the user's accounts with balances\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"include_balance_series\":{\"type\":\"boolean\"}},\"required\":[],\"additionalProperties\":false}}," +
        "{\"name\":\"get_transactions\",\"description\":\"Search the user's transactions\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"search\":{\"type\":\"string\"},\"page\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[],\"additionalProperties\":false}}]";

    public static async Task<SureMcpEmulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var token = "mcp-test-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var emulator = new SureMcpEmulator(app, token);
        app.Run(emulator.HandleAsync);
        await app.StartAsync();
        emulator.McpUrl = new Uri(app.Urls.First().TrimEnd('/') + "/mcp");
        return emulator;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path != "/mcp" || !HttpMethods.IsPost(ctx.Request.Method))
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8)) body = await reader.ReadToEndAsync();
        var h = ctx.Request.Headers;
        Received.Enqueue(new ReceivedRequest(body, h.Host.ToString(), Header(h.Authorization), Header(h["Mcp-Session-Id"]), Header(h["MCP-Protocol-Version"]), Header(h.AcceptEncoding)));
        if (IssueSessionId is { } sid) ctx.Response.Headers["Mcp-Session-Id"] = sid;

        if (h.Authorization.ToString() != "Bearer " + Token)
        {
            ctx.Response.StatusCode = 401;
            ctx.Response.Headers.WWWAuthenticate = "Bearer resource_metadata=\"http://web:3000/.well-known/oauth-protected-resource\"";
            await WriteAsync(ctx, 401, "application/json; charset=utf-8", "{\"error\":\"unauthorized\"}");
            return;
        }
        if (StreamOverride is { } stream && await stream(body, ctx)) return;
        if (Override?.Invoke(body) is { } o)
        {
            await WriteAsync(ctx, o.Status, o.ContentType, o.Body);
            return;
        }

        var msg = JsonNode.Parse(body)!.AsObject();
        if (!msg.ContainsKey("id"))
        {
            ctx.Response.StatusCode = 204;
            return;
        }
        var id = msg["id"]!.ToJsonString();
        var method = msg["method"]!.GetValue<string>();
        string answer = method switch
        {
            "initialize" => "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"sure\",\"version\":\"1.0\"}}}",
            "tools/list" => "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"tools\":" + ToolsJson + "}}",
            "tools/call" => ToolCall(id, msg["params"]!.AsObject()),
            _ => "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32601,\"message\":" + JsonSerializer.Serialize("Method not found: " + method) + "}}",
        };
        await WriteAsync(ctx, 200, "application/json; charset=utf-8", answer);
    }

    private string ToolCall(string id, JsonObject p)
    {
        var name = p["name"]?.GetValue<string>() ?? "";
        var args = p["arguments"]?.ToJsonString() ?? "{}";
        var text = ToolResult(name, args);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(text) + "}]}}";
    }

    /// <summary>Bodies received whose text contains <paramref name="marker"/> (to prove a blocked call never arrived).</summary>
    public int CountReceived(string marker) => Received.Count(r => r.Body.Contains(marker, StringComparison.Ordinal));

    private static string? Header(Microsoft.Extensions.Primitives.StringValues v) => v.Count == 0 ? null : v.ToString();

    private static async Task WriteAsync(HttpContext ctx, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
