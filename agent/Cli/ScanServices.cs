using Pipelock.Agent.Config;
using Pipelock.Scanners.Engine;

namespace Pipelock.Agent.Cli;

/// <summary>
/// The single place where the scanners are composed from a <see cref="PipelockConfig"/> (each scanner gets its
/// narrow options record derived from the config by <see cref="ScanEngineOptionsMapper"/>, never the config itself).
/// </summary>
public static class ScanServices
{
    /// <summary>
    /// Builds the engine for the CLI. MCP sections are auto-enabled as for an MCP-fronting run (Pipelock's
    /// <c>applyMCPAutoEnable</c>): <c>check --kind tool_poisoning</c> must scan even when the file leaves the section out.
    /// </summary>
    public static ICarrierScanner CreateScanner(PipelockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var effective = McpAutoEnable.Apply(config, forceResponseScanning: true);
        return new CarrierScanner(new ScanEngine(ScanEngineOptionsMapper.Map(effective)));
    }
}
