using System.Text.Json;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Mcp.JsonRpc;

namespace Pipelock.Scanners.Mcp.Chains;

/// <summary>
/// Maps a tool call to a category (catalogue §3.7): configured names (exact, then glob, by category priority),
/// else keyword segments of the name with priority exec &gt; persist &gt; env &gt; network &gt; write &gt; read &gt; list;
/// then argument-based re-classification to persist (crontab / systemctl enable / launchctl, or writes to cron,
/// systemd, init.d, LaunchAgents paths). Returns null for an unclassified tool.
/// </summary>
public sealed class ToolClassifier
{
    private static readonly Dictionary<string, string[]> Keywords = new()
    {
        [ToolCategories.Read] = ["read", "get", "view", "cat", "head", "tail", "open", "load", "retrieve", "access"],
        [ToolCategories.Write] = ["write", "create", "save", "update", "edit", "modify", "put", "append", "insert"],
        [ToolCategories.Exec] = ["shell", "bash", "run", "execute", "cmd", "spawn", "eval", "sh", "zsh", "powershell"],
        [ToolCategories.Network] = ["fetch", "curl", "wget", "http", "request", "send", "post", "upload", "download", "api"],
        [ToolCategories.List] = ["list", "ls", "dir", "find", "glob", "search", "scan", "enumerate", "walk"],
        [ToolCategories.Env] = ["env", "environ", "getenv", "secret", "credential", "config", "token", "key", "password"],
        [ToolCategories.Persist] = ["crontab", "cron", "systemctl", "systemd", "launchd", "launchctl", "autostart"],
    };

    private static readonly HashSet<string> ReadIndicators = new(StringComparer.Ordinal)
    {
        "status", "list", "show", "info", "describe", "get", "view", "check", "inspect", "cat", "log", "logs", "read", "query", "monitor",
    };

    private static readonly Text.RuleRegex ExecPersistArgs = Text.RuleRegex.BuiltIn(
        @"crontab\s+-e\b|crontab\s+[^-\s]|\|\s*crontab\b|systemctl\s+(?:-{1,2}\w+\s+)*(?:enable|daemon-reload)\b|launchctl\s+(?:load|enable)\b", ignoreCase: true);

    private static readonly Text.RuleRegex WritePersistArgs = Text.RuleRegex.BuiltIn(
        @"/etc/crontab\b|/etc/cron\.(?:d|daily|hourly|weekly|monthly)/|/var/spool/cron/|/etc/init\.d/|/etc/systemd/|/lib/systemd/|\.config/systemd/user/|/Library/Launch(?:Daemons|Agents)/", ignoreCase: true);

    private readonly List<(string Category, string Name)> _exact = [];
    private readonly List<(string Category, Regex Glob)> _globs = [];

    public ToolClassifier(IReadOnlyDictionary<string, IReadOnlyList<string>>? configured = null)
    {
        if (configured is null) return;
        foreach (var cat in ToolCategories.ByPriority)
        {
            if (!configured.TryGetValue(cat, out var names)) continue;
            foreach (var n in names)
            {
                if (n.IndexOfAny(['*', '?']) >= 0) _globs.Add((cat, GlobToRegex(n)));
                else _exact.Add((cat, n));
            }
        }
    }

    /// <summary>Category of a call, or null when nothing matches.</summary>
    public string? Classify(string toolName, JsonElement? arguments = null)
    {
        var category = ByConfig(toolName) ?? ByKeywords(toolName);
        if (category is ToolCategories.Exec or ToolCategories.Write && arguments is { } args)
        {
            var re = category == ToolCategories.Exec ? ExecPersistArgs : WritePersistArgs;
            foreach (var s in JsonStrings.Extract(args, includeKeys: false, "", 16, 256))
                if (re.IsMatch(s.Value)) return ToolCategories.Persist;
        }
        return category;
    }

    private string? ByConfig(string name)
    {
        foreach (var (cat, n) in _exact)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return cat;
        foreach (var (cat, g) in _globs)
            if (g.IsMatch(name)) return cat;
        return null;
    }

    private static string? ByKeywords(string name)
    {
        var segments = name.ToLowerInvariant().Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries);
        bool readIndicator = segments.Any(ReadIndicators.Contains);
        foreach (var cat in ToolCategories.ByPriority)
        {
            // "cron_status" / "systemd_logs" observe persistence, they do not create it.
            if (cat == ToolCategories.Persist && readIndicator) continue;
            var kws = Keywords[cat];
            foreach (var seg in segments)
                if (Array.IndexOf(kws, seg) >= 0) return cat;
        }
        return null;
    }

    private static Regex GlobToRegex(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
}
