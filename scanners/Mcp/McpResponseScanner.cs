using System.Buffers;
using System.Text.Json;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>
/// Server→client scan (catalogue §3.3):
/// 1. pick the text: <c>result</c> (content blocks, structuredContent, any nested string; JSON carried inside a text
///    block is parsed one level so escaped payloads are seen decoded), <c>error.message</c> + <c>error.data</c>,
///    or <c>params</c> of server requests / notifications; a tools/list result skips <c>result.tools</c>
///    (the tool scanner owns it) but keeps its siblings;
/// 2. injection scan on the joined text, then per string to locate; optional DLP the same way;
/// 3. for strip, rewrite each offending string with <see cref="IInjectionScanner.Strip"/>; a string that cannot be
///    rewritten fails closed (block).
/// </summary>
public sealed class McpResponseScanner
{
    private const int MaxNestedJsonLength = 1 << 20;

    private readonly McpResponseOptions _options;
    private readonly IInjectionScanner _injection;
    private readonly IDlpScanner? _dlp;

    public McpResponseScanner(McpResponseOptions options, IInjectionScanner injection, IDlpScanner? dlp = null)
    {
        _options = options;
        _injection = injection;
        _dlp = dlp;
    }

    /// <summary>Scans one server message. <paramref name="requestMethod"/> is the method of the request it answers, when known.</summary>
    public Verdict Scan(JsonRpcMessage message, string? requestMethod = null) => Run(message, requestMethod, strip: false).Verdict;

    /// <summary>Scans and, when the action is strip, returns the rewritten message.</summary>
    public McpResponseScanResult ScanAndStrip(JsonRpcMessage message, string? requestMethod = null) => Run(message, requestMethod, strip: _options.Action == ScanAction.Strip);

    /// <summary>
    /// Scans a bare <c>result</c> object (the CLI <c>mcp_result</c> carrier): same extraction as a response
    /// (<c>result.tools</c> skipped only when <paramref name="requestMethod"/> is tools/list or the shape says so).
    /// </summary>
    public Verdict ScanResult(JsonElement result, string? requestMethod = null)
    {
        if (!_options.Enabled) return Verdict.Clean;
        var list = new List<JsonString>();
        AddResult(list, result, requestMethod);
        return Evaluate(list, "result", strip: false).Verdict;
    }

    /// <summary>The strings the scan reads, with their paths (exposed for the integrator's logging and for tests).</summary>
    public static List<JsonString> ExtractText(JsonRpcMessage message, string? requestMethod = null)
    {
        var list = new List<JsonString>();
        var root = message.Root;
        switch (message.Kind)
        {
            case JsonRpcKind.Response when root.TryGetProperty("result", out var result):
                AddResult(list, result, requestMethod);
                break;
            case JsonRpcKind.Error when root.TryGetProperty("error", out var error):
                if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) list.Add(new("error.message", m.GetString()!, false));
                if (error.TryGetProperty("data", out var d)) AddAll(list, d, "error.data");
                break;
            case JsonRpcKind.Request or JsonRpcKind.Notification when root.TryGetProperty("params", out var prm):
                AddAll(list, prm, "params");
                break;
        }
        return list;
    }

    private static void AddResult(List<JsonString> list, JsonElement result, string? requestMethod)
    {
        bool isToolsList = requestMethod == "tools/list" || (requestMethod is null && LooksLikeToolsList(result));
        if (isToolsList && result.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in result.EnumerateObject())
                if (p.Name != "tools") AddAll(list, p.Value, "result." + p.Name);
        }
        else AddAll(list, result, "result");
    }

    private McpResponseScanResult Run(JsonRpcMessage message, string? requestMethod, bool strip)
    {
        if (!_options.Enabled) return new(Verdict.Clean, null, false);
        var r = Evaluate(ExtractText(message, requestMethod), RootPath(message), strip);
        if (r.Replacements is null) return new(r.Verdict, null, r.StripFailed);
        return new(r.Verdict, Rewrite(message.Root, r.Replacements), false);
    }

    private (Verdict Verdict, Dictionary<string, string>? Replacements, bool StripFailed) Evaluate(List<JsonString> strings, string rootPath, bool strip)
    {
        if (strings.Count == 0) return (Verdict.Clean, null, false);

        // Joined first: one call on the clean path (the common case) instead of one per string.
        var joined = string.Join("\n", strings.Select(static s => s.Value));
        var injJoined = _injection.Scan(joined);
        var dlpJoined = _dlp?.ScanText(joined) ?? Verdict.Clean;
        if (injJoined.IsClean && dlpJoined.IsClean) return (Verdict.Clean, null, false);

        var findings = new List<Finding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dirty = new List<JsonString>();
        foreach (var s in strings)
        {
            bool hit = false;
            if (!injJoined.IsClean) hit |= Add(findings, seen, _injection.Scan(s.Value), s.Path, relabel: true);
            if (!dlpJoined.IsClean) hit |= Add(findings, seen, _dlp!.ScanText(s.Value), s.Path, relabel: false);
            if (hit) dirty.Add(s);
        }
        // Matches that only exist across strings keep the joined location.
        Add(findings, seen, injJoined, rootPath, relabel: true);
        Add(findings, seen, dlpJoined, rootPath, relabel: false);
        var verdict = Verdict.Of(findings);

        if (!strip) return (verdict, null, false);

        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        // Text inside an embedded JSON string is rewritten through its outer string; if only the inner copy matched
        // (escaping hid it from the outer text), there is nothing safe to rewrite.
        var outer = dirty.Where(static s => !s.Path.Contains('#')).Select(static s => s.Path).ToHashSet(StringComparer.Ordinal);
        bool failed = outer.Count == 0 || !dlpJoined.IsClean
            || dirty.Any(s => s.Path.Contains('#') && !outer.Contains(s.Path[..s.Path.IndexOf('#')]));
        foreach (var s in dirty)
        {
            if (failed) break;
            if (s.Path.Contains('#')) continue;
            var stripped = _injection.Strip(s.Value);
            if (stripped is null) { failed = true; break; }
            replacements[s.Path] = stripped;
        }
        if (failed)
        {
            // Leet/vowel/decoded matches, cross-string matches and secrets cannot be redacted in place: refuse.
            findings.Add(new Finding(ScannerNames.ResponseScan, "Non-redactable Content", Severity.High, ScanAction.Block, "strip not possible; blocked") { Location = rootPath });
            return (Verdict.Of(findings), null, true);
        }
        return (verdict, replacements, false);
    }

    private static string RootPath(JsonRpcMessage m) => m.Kind switch
    {
        JsonRpcKind.Response => "result",
        JsonRpcKind.Error => "error",
        _ => "params",
    };

    private bool Add(List<Finding> list, HashSet<string> seen, Verdict v, string location, bool relabel)
    {
        if (v.IsClean) return false;
        foreach (var f in v.Findings)
        {
            if (!seen.Add(f.Scanner + "\0" + f.Rule)) continue;
            list.Add(relabel ? McpFindings.Relabel(f, ScannerNames.ResponseScan, _options.Action, location) : f with { Location = location });
        }
        return true;
    }

    private static bool LooksLikeToolsList(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && result.TryGetProperty("tools", out var t) && t.ValueKind == JsonValueKind.Array;

    /// <summary>All string values (keys too: a key is text the model reads) plus strings of JSON carried inside a string.</summary>
    private static void AddAll(List<JsonString> list, JsonElement e, string path)
    {
        foreach (var s in JsonStrings.Extract(e, includeKeys: true, path))
        {
            list.Add(s);
            if (s.IsKey) continue;
            var v = s.Value.AsSpan().Trim();
            if (v.Length < 2 || v.Length > MaxNestedJsonLength || !(v[0] == '{' && v[^1] == '}' || v[0] == '[' && v[^1] == ']')) continue;
            try
            {
                using var doc = JsonDocument.Parse(s.Value, new JsonDocumentOptions { MaxDepth = JsonRpcLimits.DefaultMaxDepth });
                // '#' marks text found inside an embedded document: located for reporting, not rewritable in place.
                foreach (var inner in JsonStrings.Extract(doc.RootElement, includeKeys: true, s.Path + "#"))
                    list.Add(inner);
            }
            catch (JsonException)
            {
                // Not JSON after all: the outer string was already added.
            }
        }
    }

    private static byte[] Rewrite(JsonElement root, Dictionary<string, string> replacements)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
            Write(w, root, "", replacements, topLevel: true);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, JsonElement e, string path, Dictionary<string, string> repl, bool topLevel = false)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    Write(w, p.Value, topLevel ? p.Name : JsonStrings.Join(path, p.Name), repl);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                int i = 0;
                foreach (var item in e.EnumerateArray())
                    Write(w, item, path + "[" + (i++).ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", repl);
                w.WriteEndArray();
                break;
            case JsonValueKind.String when repl.TryGetValue(path, out var r):
                w.WriteStringValue(r);
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}
