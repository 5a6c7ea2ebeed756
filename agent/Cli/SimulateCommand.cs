using System.CommandLine;
using Pipelock.Agent.Cli.Simulation;

namespace Pipelock.Agent.Cli;

/// <summary><c>pipelock simulate [--config F] [--json]</c>: run the attack scenarios; exit 1 on any gap.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Pipelock YAML config to test (default: Pipelock's defaults)" };
        var json = new Option<bool>("--json") { Description = "Print results as JSON" };
        var cmd = new Command("simulate", "Run built-in attack scenarios (DLP, injection, tool poisoning, URL evasion, SSRF, canaries) against the scanners")
        {
            config, json,
        };
        cmd.SetAction(pr =>
        {
            var cfg = ConfigReporter.Load(pr.GetValue(config), env);
            if (cfg is null) return ExitCodes.Error;
            var outcomes = SimulationRunner.Run(SimulationCatalog.Build(cfg), env.ScannerFactory(cfg));
            if (pr.GetValue(json)) SimulationRunner.WriteJson(env.Out, outcomes);
            else SimulationRunner.WriteTable(env.Out, outcomes);
            return outcomes.All(o => o.Passed) ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return cmd;
    }
}
