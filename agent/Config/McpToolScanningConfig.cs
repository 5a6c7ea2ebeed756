using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>mcp_tool_scanning</c>: tool-poisoning and drift detection on tools/list. Action warn|block.</summary>
public sealed record McpToolScanningConfig
{
    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public bool ActionSet { get; init; }
    public bool DetectDrift { get; init; }
}
