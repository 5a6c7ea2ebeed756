using Pipelock.Scanners.Collections;
using System.Text.Json;
using Pipelock.Scanners.Mcp.Tools;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Session;

/// <summary>
/// Session binding (catalogue §3.6): the first tools/list a session sees pins its tool inventory; every tools/call
/// must name a pinned tool. Later lists do not widen the pin unless <see cref="SessionBindingOptions.TrustToolsAddedLater"/>
/// (a server adding a tool mid-session is reported, not trusted). Callers pin only after the list passed tool scanning, so a blocked list never becomes the baseline.
/// Thread-safe; sessions are bounded (LRU).
/// </summary>
public sealed class SessionBinding
{
    public const string UnknownToolRule = "Unknown Tool";
    public const string NoBaselineRule = "No Tool Baseline";
    public const string MissingNameRule = "Missing Tool Name";

    private readonly SessionBindingOptions _options;
    private readonly BoundedLruMap<string, HashSet<string>> _sessions;
    private readonly Lock _gate = new();

    public SessionBinding(SessionBindingOptions options)
    {
        _options = options;
        _sessions = new BoundedLruMap<string, HashSet<string>>(Math.Max(1, options.MaxSessions), StringComparer.Ordinal);
    }

    public int SessionCount
    {
        get { lock (_gate) return _sessions.Count; }
    }

    /// <summary>
    /// Records a tools/list response (or result / tools array) for a session. The first call pins the inventory and
    /// returns an empty list; later calls return the names that are not in the pin ("tool added post-baseline").
    /// </summary>
    public IReadOnlyList<string> RecordToolsList(string sessionKey, JsonElement toolsList)
    {
        var names = new List<string>();
        foreach (var (_, tool) in ToolDefinitions.Enumerate(toolsList))
            if (ToolDefinitions.Name(tool) is { } n) names.Add(n);
        return RecordToolNames(sessionKey, names);
    }

    /// <inheritdoc cref="RecordToolsList"/>
    public IReadOnlyList<string> RecordToolNames(string sessionKey, IEnumerable<string> toolNames)
    {
        lock (_gate)
        {
            if (!_sessions.TryGet(sessionKey, out var known))
            {
                _sessions.GetOrAdd(sessionKey, _ => new HashSet<string>(toolNames.Take(ToolDefinitions.MaxTools), StringComparer.Ordinal));
                return [];
            }
            var added = toolNames.Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
            if (_options.TrustToolsAddedLater)
                foreach (var n in added)
                    if (known.Count < ToolDefinitions.MaxTools) known.Add(n);
            return added;
        }
    }

    /// <summary>Checks a tools/call (its <c>params</c>); clean when binding is off or the tool is pinned.</summary>
    public Verdict CheckCall(string sessionKey, JsonElement? callParams)
    {
        string? name = null;
        if (callParams is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            name = n.GetString();
        return CheckToolName(sessionKey, name);
    }

    /// <summary>Checks a tool name against the session's pin.</summary>
    public Verdict CheckToolName(string sessionKey, string? toolName)
    {
        if (!_options.Enabled) return Verdict.Clean;
        if (string.IsNullOrEmpty(toolName))
            return Deny(MissingNameRule, _options.UnknownToolAction, "tools/call without a tool name");
        lock (_gate)
        {
            if (!_sessions.TryGet(sessionKey, out var known))
                return Deny(NoBaselineRule, _options.NoBaselineAction, "tools/call before any tools/list: " + toolName);
            if (known.Contains(toolName)) return Verdict.Clean;
        }
        return Deny(UnknownToolRule, _options.UnknownToolAction, "tool not in session baseline: " + toolName);
    }

    /// <summary>Drops a session (DELETE / re-initialise).</summary>
    public bool Forget(string sessionKey)
    {
        lock (_gate) return _sessions.Remove(sessionKey);
    }

    private static Verdict Deny(string rule, ScanAction action, string evidence) =>
        Verdict.Of(new Finding(ScannerNames.SessionBinding, rule, Severity.High, action, Redaction.Excerpt(evidence, 120)) { Location = "params.name" });
}
