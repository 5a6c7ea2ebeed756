using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>mcp_session_binding</c>: pin the tool inventory on the first tools/list. Actions warn|block.</summary>
public sealed record McpSessionBindingConfig
{
    public bool Enabled { get; init; }
    public ScanAction UnknownToolAction { get; init; } = ScanAction.Warn;
    public ScanAction NoBaselineAction { get; init; } = ScanAction.Warn;
}
