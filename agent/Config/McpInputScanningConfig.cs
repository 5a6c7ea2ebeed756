using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary><c>mcp_input_scanning</c>: client→server message scanning. Action warn|block; on_parse_error block|forward.</summary>
public sealed record McpInputScanningConfig
{
    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Warn;
    /// <summary>True when the file set <c>action</c> (auto-enable in MCP proxy mode only fills absent sections).</summary>
    public bool ActionSet { get; init; }
    public string OnParseError { get; init; } = "block";
}
