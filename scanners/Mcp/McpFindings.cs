using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>Relabelling of findings produced by the shared scanners for an MCP section.</summary>
internal static class McpFindings
{
    /// <summary>
    /// Section label, section action and JSON location. Core-floor findings (<c>core_dlp</c>, <c>core_response</c>, ...)
    /// keep their label and can only get stricter: the floor exists so that no section setting can turn it into a warning.
    /// </summary>
    public static Finding Relabel(Finding f, string scanner, ScanAction action, string location, string? encoding = null)
    {
        var enc = encoding ?? f.Encoding;
        if (IsCore(f))
            return f with { Action = ScanActions.Stricter(f.Action, action), Location = location, Encoding = enc };
        return f with { Scanner = scanner, Action = action, Location = location, Encoding = enc };
    }

    public static bool IsCore(Finding f) => f.Scanner.StartsWith("core_", StringComparison.Ordinal);
}
