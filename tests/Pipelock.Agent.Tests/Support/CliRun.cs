using Pipelock.Agent.Cli;

namespace Pipelock.Agent.Tests.Support;

/// <summary>Runs the CLI in-process and captures exit code, stdout and stderr.</summary>
public sealed record CliRun(int Exit, string Out, string Err)
{
    public static CliRun Of(ICarrierScanner scanner, params string[] args) => Of(scanner, null, args);

    public static CliRun Of(ICarrierScanner scanner, byte[]? stdin, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var env = new CliEnvironment(o, e, _ => scanner, stdin is null ? null : () => new MemoryStream(stdin));
        int exit = PipelockCli.Run(args, env);
        return new CliRun(exit, o.ToString(), e.ToString());
    }
}
