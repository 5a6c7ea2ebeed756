using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Chains;

/// <summary>An ordered sequence of tool categories that together make an attack (e.g. read → exec).</summary>
public sealed record ChainPattern(string Name, IReadOnlyList<string> Steps, Severity Severity, ScanAction Action = ScanAction.Warn);

/// <summary>Pipelock's 10 built-in chain patterns (catalogue §3.7), all warn by default.</summary>
public static class ChainPatterns
{
    public static readonly IReadOnlyList<ChainPattern> BuiltIn =
    [
        new("read-then-exec", [ToolCategories.Read, ToolCategories.Exec], Severity.High),
        new("read-write-send", [ToolCategories.Read, ToolCategories.Write, ToolCategories.Network], Severity.Critical),
        new("env-then-network", [ToolCategories.Env, ToolCategories.Network], Severity.Critical),
        new("directory-scan", [ToolCategories.List, ToolCategories.List, ToolCategories.Read], Severity.Medium),
        new("write-execute", [ToolCategories.Write, ToolCategories.Exec], Severity.High),
        new("write-chmod-execute", [ToolCategories.Write, ToolCategories.Exec, ToolCategories.Exec], Severity.Critical),
        new("read-sensitive-write", [ToolCategories.Read, ToolCategories.Write], Severity.Medium),
        new("shell-burst", [ToolCategories.Exec, ToolCategories.Exec, ToolCategories.Exec, ToolCategories.Exec], Severity.High),
        new("write-persist", [ToolCategories.Write, ToolCategories.Persist], Severity.Critical),
        new("persist-callback", [ToolCategories.Persist, ToolCategories.Network], Severity.Critical),
    ];
}

/// <summary>Category names (config strings), in classification priority order.</summary>
public static class ToolCategories
{
    public const string Exec = "exec";
    public const string Persist = "persist";
    public const string Env = "env";
    public const string Network = "network";
    public const string Write = "write";
    public const string Read = "read";
    public const string List = "list";

    /// <summary>Highest priority first: a name with both "read" and "shell" segments is exec.</summary>
    public static readonly IReadOnlyList<string> ByPriority = [Exec, Persist, Env, Network, Write, Read, List];

    public static bool IsKnown(string c) => ByPriority.Contains(c);
}
