using System.Text.Json;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Normalize;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Tool-poisoning detection for <c>tools/list</c> (catalogue §3.4). For each tool:
/// 1. extract description, schema text and parameter names (<see cref="ToolText"/>);
/// 2. run the response-injection pipeline on each piece and on the joined text (check a);
/// 3. run the tool-specific rules on <c>ForToolText</c> of each piece (check b), names and extension keys included;
/// 4. decode base64 blobs that hold prose and run the rules on the decoded text.
/// Findings carry <see cref="ScannerNames.ToolPoisoning"/>, Location <c>tools[i].&lt;path&gt;</c> and the section action.
/// </summary>
public sealed class ToolPoisoningScanner
{
    private readonly ToolScanOptions _options;
    private readonly IInjectionScanner? _injection;
    private readonly IReadOnlyList<ToolPoisonRule> _rules;

    /// <param name="options">Section options (action is copied into findings).</param>
    /// <param name="injection">The response-injection scanner; null runs the tool rules only.</param>
    /// <param name="extraRules">Community-bundle rules added after the built-ins.</param>
    public ToolPoisoningScanner(ToolScanOptions options, IInjectionScanner? injection = null, IEnumerable<ToolPoisonRule>? extraRules = null)
    {
        _options = options;
        _injection = injection;
        _rules = extraRules is null ? ToolPoisonRules.All : [.. ToolPoisonRules.All, .. extraRules];
    }

    /// <summary>Scans a tools/list response, its result, a tools array or one tool (detected).</summary>
    public Verdict Scan(JsonElement input)
    {
        if (!_options.Enabled) return Verdict.Clean;
        List<Finding>? all = null;
        foreach (var (index, tool) in ToolDefinitions.Enumerate(input))
        {
            var v = ScanTool(tool, index);
            if (!v.IsClean) (all ??= []).AddRange(v.Findings);
        }
        return all is null ? Verdict.Clean : Verdict.Of(all);
    }

    /// <summary>Parses then scans. Invalid JSON or an unrecognised shape is a fail-closed finding: an unscannable list must not pass.</summary>
    public Verdict Scan(string json)
    {
        if (!_options.Enabled) return Verdict.Clean;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonRpc.JsonRpcLimits.DefaultMaxDepth });
            if (ToolDefinitions.Detect(doc.RootElement) == ToolInputShape.Unknown)
                return Verdict.Of(new Finding(ScannerNames.BodyParse, "Unrecognised Tool List", Severity.Medium, ScanAction.Block, "not a tools/list response, result, tools array or tool"));
            return Scan(doc.RootElement);
        }
        catch (JsonException)
        {
            return Verdict.Of(new Finding(ScannerNames.BodyParse, "Tool List Parse Error", Severity.Medium, ScanAction.Block, "invalid JSON"));
        }
    }

    /// <summary>Scans one tool definition; <paramref name="index"/> goes into the Location.</summary>
    public Verdict ScanTool(JsonElement tool, int index = 0)
    {
        if (!_options.Enabled || tool.ValueKind != JsonValueKind.Object) return Verdict.Clean;
        var prefix = "tools[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
        var names = new List<string>();
        var segs = ToolText.Segments(tool, names);
        if (names.Count > 0) segs.Add(new ToolTextSegment("inputSchema.properties", ToolText.ParamNameText(names)));

        var found = new List<Finding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        var name = ToolDefinitions.Name(tool);
        if (name is not null) RunViews(ToolRuleTarget.ToolName, name, prefix + ".name", null, found, seen, expand: false);
        foreach (var n in names)
            RunViews(ToolRuleTarget.ParamName, n, prefix + ".inputSchema.properties." + n, null, found, seen, expand: true);

        foreach (var seg in segs)
        {
            var loc = prefix + "." + seg.Path;
            if (seg.Kind == ToolTextKind.ExtensionKey)
            {
                RunRules(ToolRuleTarget.ExtensionKey, seg.Text.ToLowerInvariant(), loc, null, found, seen);
                continue;
            }
            RunViews(ToolRuleTarget.Text, seg.Text, loc, null, found, seen, expand: false);
            foreach (var (_, decoded) in EncodedBlobs.Find(seg.Text))
            {
                Add(found, seen, "Encoded Instruction Blob", Severity.Medium, Redaction.Excerpt(decoded, 60), -1, "base64", loc);
                RunViews(ToolRuleTarget.Text, decoded, loc, "base64", found, seen, expand: false);
            }
            if (_injection is not null) Relabel(_injection.Scan(seg.Text), loc, found, seen);
        }

        // Joined text: catches directives split across description and schema (e.g. "see the 'path' default").
        if (segs.Count > 1)
        {
            var joined = string.Join("\n", segs.Where(s => s.Kind == ToolTextKind.Text).Select(s => s.Text));
            RunViews(ToolRuleTarget.Text, joined, prefix, null, found, seen, expand: false);
            if (_injection is not null) Relabel(_injection.Scan(joined), prefix, found, seen);
        }
        return found.Count == 0 ? Verdict.Clean : Verdict.Of(found);
    }

    /// <summary>
    /// CLI entry (<c>--kind tool_poisoning</c>, <c>tools_list</c> carrier): JSON in any recognised tools shape is scanned
    /// as tools; anything else (plain text, JSON of another shape) is scanned as one tool description.
    /// </summary>
    public Verdict ScanTextOrJson(string input)
    {
        var t = input.AsSpan().TrimStart();
        if (t.Length > 0 && t[0] is '{' or '[')
        {
            try
            {
                using var doc = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = JsonRpc.JsonRpcLimits.DefaultMaxDepth });
                if (ToolDefinitions.Detect(doc.RootElement) != ToolInputShape.Unknown) return Scan(doc.RootElement);
            }
            catch (JsonException)
            {
                // Not JSON: fall through to a description scan.
            }
        }
        return ScanDescription(input);
    }

    /// <summary>Scans a bare description (CLI <c>--kind tool_poisoning</c> on text, community fixtures).</summary>
    public Verdict ScanDescription(string description, string? toolName = null)
    {
        using var doc = JsonDocument.Parse(JsonSerializerLite.Tool(toolName ?? "tool", description));
        return ScanTool(doc.RootElement);
    }

    /// <summary>
    /// Two views of the same text: <c>ForToolText</c> (Pipelock's: leetspeak and homoglyphs folded, but line breaks
    /// dropped and '@'/digits folded to letters, which breaks e-mail addresses, URLs and line-anchored markers) and
    /// <c>ForMatching</c> (homoglyphs and invisibles handled, lines and symbols kept). A rule fires if either view matches.
    /// </summary>
    private void RunViews(ToolRuleTarget target, string raw, string location, string? encoding, List<Finding> found, HashSet<string> seen, bool expand)
    {
        var tool = TextNormalizer.ForToolText(raw);
        var plain = TextNormalizer.ForMatching(raw);
        RunRules(target, expand ? ParamNames.Expand(tool) : tool, location, encoding, found, seen);
        if (!string.Equals(plain, tool, StringComparison.Ordinal))
            RunRules(target, expand ? ParamNames.Expand(plain) : plain, location, encoding, found, seen);
    }

    private void RunRules(ToolRuleTarget target, string text, string location, string? encoding, List<Finding> found, HashSet<string> seen)
    {
        if (text.Length == 0) return;
        var lower = text.ToLowerInvariant();
        foreach (var rule in _rules)
        {
            if (rule.Target != target || seen.Contains(rule.Name) || !rule.MayMatch(lower)) continue;
            Match m;
            try
            {
                m = rule.Regex.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                // A rule that cannot finish on this text fails closed rather than letting the tool through unscanned.
                Add(found, seen, rule.Name, rule.Severity, "[scan timeout]", -1, encoding, location);
                continue;
            }
            if (m.Success) Add(found, seen, rule.Name, rule.Severity, Redaction.Excerpt(m.ValueSpan), m.Index, encoding, location);
        }
    }

    private void Relabel(Verdict v, string location, List<Finding> found, HashSet<string> seen)
    {
        if (v.IsClean) return;
        foreach (var f in v.Findings)
        {
            if (!seen.Add(f.Rule)) continue;
            found.Add(McpFindings.Relabel(f, ScannerNames.ToolPoisoning, _options.Action, location));
        }
    }

    private void Add(List<Finding> found, HashSet<string> seen, string rule, Severity sev, string evidence, int pos, string? encoding, string location)
    {
        if (!seen.Add(rule)) return;
        found.Add(new Finding(ScannerNames.ToolPoisoning, rule, sev, _options.Action, evidence, pos, encoding) { Location = location });
    }
}
