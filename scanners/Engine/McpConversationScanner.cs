using System.Text.Json;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Engine;

/// <summary>
/// Scans an ordered list of JSON-RPC messages as one MCP session, the way the MCP proxy meets them: requests get
/// input scanning, tool policy, session binding and chain detection; responses get result scanning, and tools/list
/// results get poisoning, drift and the binding baseline. Used by <c>pipelock check</c> for the <c>mcp_session</c>
/// carrier; the proxy runs the same steps per message.
/// </summary>
public sealed class McpConversationScanner
{
    private readonly ScanEngine _engine;

    public McpConversationScanner(ScanEngine engine) => _engine = engine;

    /// <summary>Scans a JSON array of messages (or one message). Unparseable input fails closed.</summary>
    public Verdict Scan(string json, string sessionKey = "cli")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonRpcLimits.Default.MaxDepth }); }
        catch (JsonException e) { return McpInputScanner.InvalidMessage(e.Message); }
        using (doc)
        {
            var state = _engine.NewMcpState();
            var verdicts = new List<Verdict>();
            var pendingMethods = new Dictionary<string, string>(StringComparer.Ordinal);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in doc.RootElement.EnumerateArray())
                    verdicts.Add(ScanMessage(m.GetRawText(), sessionKey, state, pendingMethods));
            }
            else
            {
                verdicts.Add(ScanMessage(doc.RootElement.GetRawText(), sessionKey, state, pendingMethods));
            }
            return Verdict.Combine([.. verdicts]);
        }
    }

    private Verdict ScanMessage(string raw, string sessionKey, McpSessionState state, Dictionary<string, string> pendingMethods)
    {
        var parsed = JsonRpcMessage.Parse(raw);
        if (!parsed.Ok) return McpInputScanner.InvalidMessage(parsed.Error!.Message);
        using var msg = parsed.Message!;
        if (msg.IsRequest || msg.IsNotification)
        {
            if (msg.IsRequest && msg.IdRaw is not null && msg.Method is not null) pendingMethods[msg.IdRaw] = msg.Method;
            var input = _engine.McpInput.Scan(msg);
            if (msg.Method != "tools/call" || msg.Params is not { } p) return input;
            string name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
            var args = p.TryGetProperty("arguments", out var a) ? a : default;
            var policy = _engine.ToolPolicy.Evaluate(name, args).ToVerdict();
            var binding = _engine.Options.SessionBinding.Enabled ? state.Binding.CheckCall(sessionKey, p) : Verdict.Clean;
            var chain = _engine.Options.Chains.Enabled ? state.Chains.Record(sessionKey, name, args.ValueKind == JsonValueKind.Undefined ? null : args) : Verdict.Clean;
            return Verdict.Combine(input, policy, binding, chain);
        }

        string? method = msg.IdRaw is not null && pendingMethods.Remove(msg.IdRaw, out var mth) ? mth : null;
        bool isToolsList = method == "tools/list" || (msg.Result is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("tools", out var t) && t.ValueKind == JsonValueKind.Array);
        var response = _engine.McpResponse.Scan(msg, isToolsList ? "tools/list" : method);
        if (!isToolsList || msg.Result is not { } result) return response;
        var poison = _engine.ToolPoisoning.Scan(result);
        var drift = _engine.Options.ToolScan.DetectDrift ? state.Drift.Observe(result, _engine.Options.ToolScan.Action) : Verdict.Clean;
        if (_engine.Options.SessionBinding.Enabled && poison.IsClean) state.Binding.RecordToolsList(sessionKey, result);
        return Verdict.Combine(response, poison, drift);
    }
}
