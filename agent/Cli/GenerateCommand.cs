using System.CommandLine;
using Pipelock.Agent.Config;

namespace Pipelock.Agent.Cli;

/// <summary><c>pipelock generate config --preset strict|balanced|audit [-o file]</c>.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var preset = new Option<string>("--preset", "-p") { Description = "strict, balanced or audit", DefaultValueFactory = _ => "balanced" };
        preset.AcceptOnlyFromAmong([.. ConfigPresets.Names]);
        preset.HelpName = "preset";
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var config = new Command("config", "Print a Pipelock config for a preset") { preset, output };
        config.SetAction(pr =>
        {
            var yaml = ConfigPresets.Render(pr.GetValue(preset)!);
            if (pr.GetValue(output) is { } path)
            {
                File.WriteAllText(path, yaml);
                env.Err.WriteLine($"wrote {path}");
            }
            else env.Out.Write(yaml);
            return ExitCodes.Ok;
        });
        return new Command("generate", "Generate files (config presets)") { config };
    }
}
