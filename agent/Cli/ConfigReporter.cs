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
}
