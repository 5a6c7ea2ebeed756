using System.Text;
using System.Text.Json;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>
/// Scans a piece of text the way the proxy would meet it in <see cref="Carrier"/>, through the one
/// <see cref="ScanEngine"/>. <see cref="ScanKind"/> narrows the result to one detection family; <see cref="ScanKind.All"/>
/// runs everything that applies to the carrier. Thread-safe: the engine's scanners are, and MCP session state is
/// created per call.
/// </summary>
public sealed class CarrierScanner : ICarrierScanner
{
    private readonly ScanEngine _engine;
    private readonly McpConversationScanner _conversation;

    // MCP input findings are relabelled mcp_input_scanning but keep their rule names; these tell injection rules apart.
    private readonly HashSet<string> _injectionRules;

    public CarrierScanner(ScanEngine engine)
    {
        _engine = engine;
        _conversation = new McpConversationScanner(engine);
        _injectionRules = new HashSet<string>(
            engine.Options.Injection.EffectivePatterns().Select(static p => p.Name).Concat(InjectionPatterns.CoreNames), StringComparer.Ordinal);
    }

    public Verdict Scan(ScanKind kind, Carrier where, string text)
    {
        var v = where switch
        {
            Carrier.Url => Want(kind, ScanKind.Url, ScanKind.Dlp) ? _engine.Url.ScanStatic(text) : Verdict.Clean,
            Carrier.Header => Want(kind, ScanKind.Dlp) ? _engine.Body.ScanHeaders(ParseHeaderLines(text), null) : Verdict.Clean,
            Carrier.JsonBody => Want(kind, ScanKind.Dlp) ? _engine.Body.ScanBody("application/json", null, Encoding.UTF8.GetBytes(text), null) : Verdict.Clean,
            Carrier.FormBody => Want(kind, ScanKind.Dlp) ? _engine.Body.ScanBody("application/x-www-form-urlencoded", null, Encoding.UTF8.GetBytes(text), null) : Verdict.Clean,
            Carrier.McpArgs => ScanMcpArgs(kind, text),
            Carrier.HttpResponse => ScanResponseText(kind, text),
            Carrier.SseStream => ScanSse(kind, text),
            Carrier.McpResult => ScanMcpResult(kind, text),
            Carrier.ToolsList => Want(kind, ScanKind.ToolPoisoning, ScanKind.Injection) ? _engine.ToolPoisoning.ScanTextOrJson(text) : Verdict.Clean,
            Carrier.Shell => Want(kind, ScanKind.Shell) ? ScanShell(text) : Verdict.Clean,
            Carrier.McpSession => _conversation.Scan(text),
            _ => ScanPlainText(kind, text),
        };
        return Filter(kind, v);
    }

    private Verdict ScanPlainText(ScanKind kind, string text) => kind switch
    {
        ScanKind.Dlp => _engine.Dlp.ScanText(text),
        ScanKind.Injection => _engine.Injection.Scan(text),
        ScanKind.ToolPoisoning => _engine.ToolPoisoning.ScanTextOrJson(text),
        ScanKind.Shell => ScanShell(text),
        ScanKind.Url => _engine.Url.ScanStatic(text.Trim()),
        _ => Verdict.Combine(_engine.Dlp.ScanText(text), _engine.Injection.Scan(text)),
    };

    private Verdict ScanResponseText(ScanKind kind, string text) => Verdict.Combine(
        Want(kind, ScanKind.Injection) ? _engine.Injection.Scan(text) : Verdict.Clean,
        kind == ScanKind.Dlp ? _engine.Dlp.ScanText(text) : Verdict.Clean);

    private Verdict ScanShell(string text)
    {
        var t = text.AsSpan().TrimStart();
        var pv = t.Length > 0 && t[0] == '{' && LooksLikeJson(text)
            ? _engine.ToolPolicy.EvaluateToolCallJson(text)
            : _engine.ToolPolicy.EvaluateCommandLine(text);
        return pv.ToVerdict();
    }

    /// <summary>
    /// mcp_args: a whole tools/call request, a {name, arguments} call, or a bare arguments object. Input scanning
    /// (DLP + injection on every key and value, split secrets) and tool policy, as the MCP proxy does.
    /// </summary>
    private Verdict ScanMcpArgs(ScanKind kind, string text)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = JsonRpcLimits.DefaultMaxDepth }); }
        catch (JsonException)
        {
            // Not JSON: the proxy would reject it (on_parse_error: block); still scan the raw text so findings are named.
            return Verdict.Combine(ParseError(), ScanPlainText(kind == ScanKind.Shell ? ScanKind.Shell : ScanKind.All, text));
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("method", out _))
            {
                var parsed = JsonRpcMessage.Parse(text);
                if (!parsed.Ok) return ParseError();
                using var msg = parsed.Message!;
                var input = _engine.McpInput.Scan(msg);
                var policy = msg.Method == "tools/call" && msg.Params is { } p ? EvaluateCall(p) : Verdict.Clean;
                return Verdict.Combine(input, policy);
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                && root.TryGetProperty("arguments", out var args))
                return Verdict.Combine(_engine.McpInput.ScanArguments(args), EvaluateCall(root));
            return Verdict.Combine(_engine.McpInput.ScanArguments(root), _engine.ToolPolicy.Evaluate("", root).ToVerdict());
        }
    }

    private Verdict EvaluateCall(JsonElement callParams)
    {
        string name = callParams.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
        var args = callParams.TryGetProperty("arguments", out var a) ? a : default;
        return _engine.ToolPolicy.Evaluate(name, args).ToVerdict();
    }

    private Verdict ScanMcpResult(ScanKind kind, string text)
    {
        var t = text.AsSpan().TrimStart();
        if (t.Length == 0 || t[0] != '{') return ScanResponseText(kind, text);
        var parsed = JsonRpcMessage.Parse(text);
        if (!parsed.Ok) return Verdict.Combine(ParseError(), ScanResponseText(kind, text));
        using var msg = parsed.Message!;
        bool toolsList = msg.Result is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array;
        var response = _engine.McpResponse.Scan(msg, toolsList ? "tools/list" : null);
        var poison = toolsList && Want(kind, ScanKind.ToolPoisoning) ? _engine.ToolPoisoning.Scan(msg.Result!.Value) : Verdict.Clean;
        return Verdict.Combine(response, poison);
    }

    private Verdict ScanSse(ScanKind kind, string text) => SseCarrier.Scan(_engine, kind == ScanKind.Dlp || kind == ScanKind.All, text);

    private static IEnumerable<KeyValuePair<string, string>> ParseHeaderLines(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            yield return new(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
    }

    private static bool LooksLikeJson(string text)
    {
        try { using var _ = JsonDocument.Parse(text); return true; }
        catch (JsonException) { return false; }
    }

    private static Verdict ParseError() => McpInputScanner.InvalidMessage("not valid JSON-RPC");

    private static bool Want(ScanKind kind, params ReadOnlySpan<ScanKind> families)
    {
        if (kind == ScanKind.All) return true;
        foreach (var f in families) if (f == kind) return true;
        return false;
    }

    /// <summary>Keeps only the findings of the asked-for family (All keeps everything; fail-closed findings always stay).</summary>
    private Verdict Filter(ScanKind kind, Verdict v)
    {
        if (kind == ScanKind.All || v.IsClean) return v;
        bool allMatch = true;
        foreach (var f in v.Findings) if (!Belongs(kind, f)) { allMatch = false; break; }
        return allMatch ? v : Verdict.Of(v.Findings.Where(f => Belongs(kind, f)));
    }

    private bool Belongs(ScanKind kind, Finding f)
    {
        if (DecisionPolicy.IsFailClosed(f)) return true;
        return kind switch
        {
            ScanKind.Dlp => f.Scanner is ScannerNames.Dlp or ScannerNames.CoreDlp or ScannerNames.SeedPhrase or ScannerNames.Canary
                or ScannerNames.BodyDlp or ScannerNames.HeaderDlp or ScannerNames.McpInput && !IsInjectionRule(f),
            ScanKind.Injection => f.Scanner is ScannerNames.ResponseScan or ScannerNames.CoreResponse or ScannerNames.ToolPoisoning
                || f.Scanner == ScannerNames.McpInput && IsInjectionRule(f),
            ScanKind.ToolPoisoning => f.Scanner is ScannerNames.ToolPoisoning or ScannerNames.ToolDrift or ScannerNames.ResponseScan or ScannerNames.CoreResponse,
            ScanKind.Shell => f.Scanner == ScannerNames.ToolPolicy,
            _ => true,
        };
    }

    private bool IsInjectionRule(Finding f) => _injectionRules.Contains(f.Rule);
}
