using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Rug-pull detection (catalogue §3.5): the first definition seen for a tool name is its baseline
/// (SHA-256 of description || 0x00 || canonical inputSchema); a later different definition is drift.
/// Capped at <see cref="DefaultCapacity"/> names: new names beyond the cap are skipped (not evicted) so a server
/// cannot flush a baseline by flooding names. Thread-safe; one instance per listener / upstream.
/// </summary>
public sealed class ToolDriftTracker
{
    public const int DefaultCapacity = 10_000;

    private readonly int _capacity;
    private readonly Dictionary<string, Baseline> _baselines = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ToolDriftTracker(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get { lock (_gate) return _baselines.Count; }
    }

    /// <summary>Forgets every baseline (Pipelock resets when detect_drift flips false→true on reload).</summary>
    public void Reset()
    {
        lock (_gate) _baselines.Clear();
    }

    /// <summary>Observes every tool of a tools/list response / result / array / single tool; returns one finding per drifted tool.</summary>
    public Verdict Observe(JsonElement input, ScanAction action)
    {
        List<Finding>? found = null;
        foreach (var (index, tool) in ToolDefinitions.Enumerate(input))
        {
            var drift = ObserveTool(tool);
            if (drift is null) continue;
            (found ??= []).Add(new Finding(ScannerNames.ToolDrift, "Tool Definition Drift", Severity.High, action,
                Redaction.Excerpt(drift.Name + ": " + drift.Summary, 200))
            {
                Location = "tools[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]",
            });
        }
        return found is null ? Verdict.Clean : Verdict.Of(found);
    }

    /// <summary>Records or compares one tool; returns the drift when its definition changed since the baseline.</summary>
    public ToolDrift? ObserveTool(JsonElement tool)
    {
        var name = ToolDefinitions.Name(tool);
        if (name is null) return null;
        var description = tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
        tool.TryGetProperty("inputSchema", out var schema);
        var hash = Hash(description, schema);
        var current = new Baseline(hash, description.Length, ParamSet(schema));

        lock (_gate)
        {
            if (!_baselines.TryGetValue(name, out var previous))
            {
                if (_baselines.Count < _capacity) _baselines[name] = current;
                return null;
            }
            if (previous.Hash == hash) return null;
            // The baseline stays the first definition: a rug-pull keeps alerting until an operator resets it.
            return new ToolDrift(name, previous.Hash, hash, Summarize(previous, current));
        }
    }

    /// <summary>SHA-256 hex of description || 0x00 || canonical schema bytes (compact, order kept: whitespace-only changes are not drift).</summary>
    public static string Hash(string description, JsonElement inputSchema)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + description.Length * 2);
        buffer.Write(System.Text.Encoding.UTF8.GetBytes(description));
        buffer.Write([(byte)0]);
        if (inputSchema.ValueKind != JsonValueKind.Undefined)
        {
            using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = true });
            inputSchema.WriteTo(w);
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static HashSet<string> ParamSet(JsonElement schema)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            foreach (var p in props.EnumerateObject())
                if (set.Count < ToolText.MaxParamNames) set.Add(p.Name);
        return set;
    }

    private static string Summarize(Baseline before, Baseline after)
    {
        var parts = new List<string>();
        int delta = after.DescriptionLength - before.DescriptionLength;
        if (delta > 0) parts.Add($"description grew by {delta} chars");
        else if (delta < 0) parts.Add($"description shrank by {-delta} chars");
        var added = after.Params.Except(before.Params).Order(StringComparer.Ordinal).ToList();
        var removed = before.Params.Except(after.Params).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0) parts.Add("params added: " + string.Join(", ", added.Take(10)));
        if (removed.Count > 0) parts.Add("params removed: " + string.Join(", ", removed.Take(10)));
        if (parts.Count == 0) parts.Add(delta == 0 ? "definition changed (same length)" : "definition changed");
        return string.Join("; ", parts);
    }

    private sealed record Baseline(string Hash, int DescriptionLength, HashSet<string> Params);
}

/// <summary>A detected rug-pull: which tool, the baseline and current hashes, and what changed.</summary>
public sealed record ToolDrift(string Name, string PreviousHash, string CurrentHash, string Summary);
