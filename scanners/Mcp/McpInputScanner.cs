using System.Text.Json;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>
/// Client→server content scan (catalogue §3.2), for every message, not only tools/call:
/// 1. parse + validate (<see cref="JsonRpcMessage.Parse(ReadOnlyMemory{byte}, JsonRpcLimits?)"/>): duplicate keys,
///    depth, size and batches always block; other parse errors follow <c>on_parse_error</c>;
/// 2. strings = every key and value under <c>params</c>, plus method and a string id;
/// 3. DLP per string, then on the joined text, then split-secret combinations;
/// 4. injection per string and on the joined text.
/// Findings are relabelled <see cref="ScannerNames.McpInput"/> with the section action and the JSON path as Location.
/// </summary>
public sealed class McpInputScanner
{
    private readonly McpInputOptions _options;
    private readonly IDlpScanner _dlp;
    private readonly IInjectionScanner? _injection;
    private readonly SplitSecretScanner _split;

    /// <summary>Values longer than this skip the split-secret pair pass.</summary>
    public const int MaxSplitValueLength = 512;

    /// <summary>Cap on the no-separator concatenation when long values are present.</summary>
    public const int MaxSplitConcatLength = 1 << 20;

    public McpInputScanner(McpInputOptions options, IDlpScanner dlp, IInjectionScanner? injection = null)
    {
        _options = options;
        _dlp = dlp;
        _injection = injection;
        _split = new SplitSecretScanner(dlp);
    }

    /// <summary>
    /// The fail-closed finding for a message that is not valid JSON-RPC (Pipelock: parse errors block even with
    /// <c>enforce: false</c>, which <see cref="DecisionPolicy.IsFailClosed"/> grants to <c>body_parse</c>).
    /// </summary>
    public static Verdict InvalidMessage(string reason) =>
        Verdict.Of(new Finding(ScannerNames.BodyParse, "Invalid JSON-RPC", Severity.High, ScanAction.Block, Redaction.Excerpt(reason)) { Location = "$" });

    /// <summary>Parses and scans raw bytes. <paramref name="parseError"/> is set when the message was refused or could not be parsed.</summary>
    public Verdict ScanRaw(ReadOnlyMemory<byte> utf8, string? destinationHost, out JsonRpcParseError? parseError)
    {
        var parsed = JsonRpcMessage.Parse(utf8);
        if (parsed.Message is { } msg)
        {
            parseError = null;
            using (msg) return Scan(msg, destinationHost);
        }
        parseError = parsed.Error!;
        if (!_options.Enabled) return Verdict.Clean;
        bool structural = parseError.Failure is JsonRpcFailure.DuplicateKey or JsonRpcFailure.TooDeep or JsonRpcFailure.TooLarge or JsonRpcFailure.Batch;
        if (structural || _options.OnParseError == McpParseErrorAction.Block)
            return InvalidMessage(parseError.Message);

        // forward: the raw text is still scanned as one string so a secret cannot ride on malformed JSON.
        var text = System.Text.Encoding.UTF8.GetString(utf8.Span);
        var list = new List<Finding>();
        var seen = new HashSet<(string, string?)>();
        AddRelabelled(list, seen, _dlp.ScanText(text, destinationHost), "$");
        if (_injection is not null) AddRelabelled(list, seen, _injection.Scan(text), "$");
        return list.Count == 0 ? Verdict.Clean : Verdict.Of(list);
    }

    /// <summary>Scans a parsed client message.</summary>
    public Verdict Scan(JsonRpcMessage message, string? destinationHost = null)
    {
        if (!_options.Enabled) return Verdict.Clean;

        var strings = new List<JsonString>();
        if (message.Method is { } method) strings.Add(new JsonString("method", method, false));
        if (message.Id is { ValueKind: JsonValueKind.String } id) strings.Add(new JsonString("id", id.GetString()!, false));
        if (message.Params is { } p)
        {
            strings.AddRange(JsonStrings.Extract(p, includeKeys: true, "params", JsonStrings.DefaultMaxDepth, JsonStrings.DefaultMaxStrings, out bool truncated));
            if (truncated)
                return Verdict.Of(new Finding(ScannerNames.BodyParse, "MCP Params Too Large", Severity.High, ScanAction.Block, "params exceed the string-count cap") { Location = "params" });
        }
        return ScanStrings(strings, "params", destinationHost);
    }

    /// <summary>
    /// Scans bare tool-call arguments (the CLI <c>mcp_args</c> carrier, or a caller that already unwrapped
    /// <c>params.arguments</c>). Paths are reported as <c>params.arguments.…</c>.
    /// </summary>
    public Verdict ScanArguments(JsonElement arguments, string? destinationHost = null)
    {
        if (!_options.Enabled) return Verdict.Clean;
        var strings = JsonStrings.Extract(arguments, includeKeys: true, "params.arguments", JsonStrings.DefaultMaxDepth, JsonStrings.DefaultMaxStrings, out bool truncated);
        if (truncated)
            return Verdict.Of(new Finding(ScannerNames.BodyParse, "MCP Params Too Large", Severity.High, ScanAction.Block, "arguments exceed the string-count cap") { Location = "params.arguments" });
        return ScanStrings(strings, "params", destinationHost);
    }

    private Verdict ScanStrings(List<JsonString> strings, string rootPath, string? destinationHost)
    {
        if (strings.Count == 0) return Verdict.Clean;

        var list = new List<Finding>();
        var seen = new HashSet<(string, string?)>();

        // Per-string first so findings point at the field that carries them.
        foreach (var s in strings)
        {
            AddRelabelled(list, seen, _dlp.ScanText(s.Value, destinationHost), s.Path);
            if (_injection is not null) AddRelabelled(list, seen, _injection.Scan(s.Value), s.Path);
        }

        var joined = string.Join("\n", strings.Select(static s => s.Value));
        AddRelabelled(list, seen, _dlp.ScanText(joined, destinationHost), rootPath);
        if (_injection is not null) AddRelabelled(list, seen, _injection.Scan(joined), rootPath);

        // Split secrets live in values (keys are short identifiers an agent does not control piecewise). Long values
        // stay out of the pair pass (they carry a whole secret or none, and pairs of them would be quadratic in bytes)
        // but still take part in the no-separator concatenation.
        var values = strings.Where(static s => !s.IsKey && s.Path.StartsWith("params", StringComparison.Ordinal)).Select(static s => s.Value).ToList();
        var shortValues = values.Where(static v => v.Length <= MaxSplitValueLength).ToList();
        AddRelabelled(list, seen, _split.Scan(shortValues, destinationHost), rootPath, SplitSecretScanner.Encoding);
        if (shortValues.Count != values.Count && values.Count > 1)
        {
            var concat = string.Concat(values);
            if (concat.Length <= MaxSplitConcatLength)
                AddRelabelled(list, seen, _dlp.ScanText(concat, destinationHost), rootPath, SplitSecretScanner.Encoding);
        }

        return list.Count == 0 ? Verdict.Clean : Verdict.Of(list);
    }

    private void AddRelabelled(List<Finding> list, HashSet<(string, string?)> seen, Verdict v, string location, string? encoding = null)
    {
        if (v.IsClean) return;
        foreach (var f in v.Findings)
        {
            var enc = encoding ?? f.Encoding;
            // One finding per rule: the first (most specific) location wins; a split hit only counts when nothing else found the rule.
            if (!seen.Add((f.Rule, null))) continue;
            list.Add(McpFindings.Relabel(f, ScannerNames.McpInput, _options.Action, location, enc));
        }
    }
}
