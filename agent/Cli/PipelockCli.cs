using System.CommandLine;

namespace Pipelock.Agent.Cli;

/// <summary>
/// The <c>pipelock</c> command line, runnable in-process (tests) or from <c>Main</c>. Verbs: check, generate config,
/// simulate, version, run, healthcheck, ca, rules. Parse errors and unexpected exceptions exit 2; the stack
/// trace is printed only with PIPELOCK_DEBUG=1.
/// </summary>
public static class PipelockCli
{
    /// <summary>Runs with one scanner for every config (tests, fakes).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, ICarrierScanner scanner) =>
        Run(args, new CliEnvironment(output, error, _ => scanner));

    public static int Run(string[] args, CliEnvironment env)
    {
        try
        {
            var root = new RootCommand("Pipelock: DLP, prompt-injection and MCP protection for AI-agent traffic")
            {
                CheckCommand.Create(env),
                GenerateCommand.Create(env),
                SimulateCommand.Create(env),
                VersionCommand.Create(env),
                RunCommand.Create(env),
                HealthcheckCommand.Create(env),
                CaCommand.Create(env),
                RulesCommand.Create(env),
            };
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) env.Err.WriteLine("error: " + e.Message);
                env.Err.WriteLine("Run 'pipelock --help' for usage.");
                return ExitCodes.Error;
            }
            return parse.Invoke(new InvocationConfiguration { Output = env.Out, Error = env.Err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (ScannerUnavailableException e)
        {
            env.Err.WriteLine("error: " + e.Message);
            return ExitCodes.Error;
        }
        catch (Exception e)
        {
            env.Err.WriteLine("pipelock: unexpected error: " + e.Message);
            if (Environment.GetEnvironmentVariable("PIPELOCK_DEBUG") == "1") env.Err.WriteLine(e);
            return ExitCodes.Error;
        }
        finally
        {
            env.Out.Flush();
            env.Err.Flush();
        }
    }
}
