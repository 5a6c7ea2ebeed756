using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// Pipelock's MCP auto-enable (catalogue §3.9, <c>applyMCPAutoEnable</c>): when the process fronts MCP traffic
/// (<c>mcp proxy</c>, <c>run --mcp-listen</c>), MCP sections the file leaves absent (disabled and no action set)
/// are switched on with protective defaults. A section the user wrote, even <c>enabled: false, action: warn</c>,
/// is left alone.
/// </summary>
public static class McpAutoEnable
{
    /// <param name="config">The loaded config.</param>
    /// <param name="forceResponseScanning">True for <c>mcp proxy</c>/<c>mcp scan</c>: disabled response scanning is replaced by the defaults.</param>
    public static PipelockConfig Apply(PipelockConfig config, bool forceResponseScanning)
    {
        var c = config;
        if (!c.McpInputScanning.Enabled && !c.McpInputScanning.ActionSet)
            c = c with { McpInputScanning = c.McpInputScanning with { Enabled = true, Action = ScanAction.Block } };
        if (!c.McpToolScanning.Enabled && !c.McpToolScanning.ActionSet)
            c = c with { McpToolScanning = c.McpToolScanning with { Enabled = true, Action = ScanAction.Warn, DetectDrift = true } };
        if (!c.McpToolPolicy.Enabled && !c.McpToolPolicy.ActionSet)
            c = c with { McpToolPolicy = c.McpToolPolicy with { Enabled = true, Action = ScanAction.Warn } };
        if (forceResponseScanning && !c.ResponseScanning.Enabled)
            c = c with { ResponseScanning = new ResponseScanningConfig() };
        return c;
    }
}
