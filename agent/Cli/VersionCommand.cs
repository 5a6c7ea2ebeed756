using System.CommandLine;
using System.Reflection;

namespace Pipelock.Agent.Cli;

/// <summary><c>pipelock version</c>.</summary>
internal static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static Command Create(CliEnvironment env)
    {
        var cmd = new Command("version", "Print the version");
        cmd.SetAction(_ =>
        {
            env.Out.WriteLine($"pipelock {Version} (.NET {Environment.Version})");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
