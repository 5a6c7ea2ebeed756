using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary><c>mcp_tool_scanning</c>: defaults are Pipelock's (off, warn, no drift); <c>mcp proxy</c> auto-enables with drift on.</summary>
public sealed record ToolScanOptions
{
    public bool Enabled { get; init; }

    /// <summary>warn | block (validated by config; anything else is treated as block by <see cref="ScanActions.Parse"/>).</summary>
    public ScanAction Action { get; init; } = ScanAction.Warn;

    public bool DetectDrift { get; init; }

    public static readonly ToolScanOptions Default = new();

    /// <summary>What <c>mcp proxy</c> turns on when the section is absent (catalogue §3.9).</summary>
    public static readonly ToolScanOptions AutoEnabled = new() { Enabled = true, Action = ScanAction.Warn, DetectDrift = true };
}
