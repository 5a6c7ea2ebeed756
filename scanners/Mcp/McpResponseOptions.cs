using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>The <c>response_scanning</c> knobs the MCP response path uses (force-enabled in MCP proxy mode).</summary>
public sealed record McpResponseOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>block | strip | warn | ask (Pipelock default warn).</summary>
    public ScanAction Action { get; init; } = ScanAction.Warn;

    public static readonly McpResponseOptions Default = new();
}
