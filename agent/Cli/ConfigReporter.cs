using Pipelock.Agent.Config;

namespace Pipelock.Agent.Cli;

/// <summary>Loads <c>--config</c> for any verb: errors and warnings go to stderr; null config means exit 2.</summary>
internal static class ConfigReporter
{
    public static PipelockConfig? Load(string? path, CliEnvironment env)
    {
        if (path is null) return PipelockConfig.Default;
        var result = ConfigLoader.LoadFile(path);
        foreach (var w in result.Warnings) env.Err.WriteLine("warning: " + w);
        foreach (var e in result.Errors) env.Err.WriteLine("error: " + e);
        if (result.IsValid) return result.Config;
        env.Err.WriteLine($"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}; config not loaded");
        return null;
    }

    /// <summary>
    /// The config a CLI scan runs with: MCP sections the file leaves absent are auto-enabled and response scanning
    /// is forced on, as Pipelock does for <c>mcp scan</c>/<c>mcp proxy</c> (catalogue §3.9). Offline checks and
    /// simulations look at MCP payloads by definition, and with Pipelock's defaults (MCP scanning off) an explicit
    /// <c>--kind tool_poisoning</c> would otherwise silently find nothing. Sections the file sets are honoured.
    /// </summary>
    public static PipelockConfig? LoadForScanning(string? path, CliEnvironment env) =>
        Load(path, env) is { } cfg ? McpAutoEnable.Apply(cfg, forceResponseScanning: true) : null;
}
