using Pipelock.Agent.Config;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Engine;

namespace Pipelock.Agent.Hosting;

/// <summary>Builds a <see cref="RuntimeSnapshot"/> from a loaded config, the same way at start and on every reload.</summary>
public static class RuntimeFactory
{
    /// <summary>
    /// The built-in config of a bare <c>pipelock run</c>: Pipelock's defaults with the forward proxy on (a run
    /// without a file exists to be a proxy; a file that leaves <c>forward_proxy</c> out gets Pipelock's false).
    /// </summary>
    public static PipelockConfig BuiltInDefault => PipelockConfig.Default with { ForwardProxy = new ForwardProxyConfig { Enabled = true } };

    public static RuntimeSnapshot Build(PipelockConfig loaded, bool frontsMcp, RuntimeSnapshot? previous, TimeProvider time, IHostResolver resolver)
    {
        // `run --mcp-listen` auto-enables the MCP sections the file leaves out (Pipelock's applyMCPAutoEnable).
        var effective = frontsMcp ? McpAutoEnable.Apply(loaded, forceResponseScanning: false) : loaded;
        var engine = new ScanEngine(ScanEngineOptionsMapper.Map(effective), resolver: resolver, time: time);
        engine.WarmUp();
        // Drift baselines, the bound tool inventory and chain history survive a reload unless their options changed.
        var o = engine.Options;
        bool keepMcp = previous is not null
            && previous.Engine.Options.ToolScan == o.ToolScan
            && previous.Engine.Options.SessionBinding == o.SessionBinding
            && previous.Engine.Options.Chains == o.Chains;
        var mcp = keepMcp ? previous!.Mcp : engine.NewMcpState();
        return new RuntimeSnapshot(effective, engine, mcp, (previous?.Generation ?? 0) + 1);
    }
}
