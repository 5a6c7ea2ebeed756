using System.CommandLine;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>run</c> and <c>healthcheck</c> keep Sure's command lines parseable (compose: <c>run --config … --listen …
/// --mcp-listen … --mcp-upstream …</c>; healthcheck: <c>--addr 127.0.0.1:8888</c>) but are not implemented in
/// this build: they say so and exit 2, so a container using them fails visibly instead of looking healthy.
/// </summary>
internal static class ReservedCommands
{
    public static Command Run(CliEnvironment env)
    {
        var cmd = new Command("run", "Run the proxy (not implemented in this build)")
        {
            new Option<string?>("--config", "-c") { Description = "Pipelock YAML config" },
            new Option<string?>("--listen") { Description = "Forward-proxy listen address, e.g. 0.0.0.0:8888" },
            new Option<string?>("--mcp-listen") { Description = "MCP HTTP listener address, e.g. 0.0.0.0:8889" },
            new Option<string?>("--mcp-upstream") { Description = "MCP upstream URL, e.g. http://web:3000/mcp" },
        };
        return NotImplemented(cmd, env);
    }

    public static Command Healthcheck(CliEnvironment env)
    {
        var cmd = new Command("healthcheck", "Probe a running instance's /health (not implemented in this build)")
        {
            new Option<string?>("--addr") { Description = "Address of the forward-proxy listener, default 127.0.0.1:8888" },
        };
        return NotImplemented(cmd, env);
    }

    private static Command NotImplemented(Command cmd, CliEnvironment env)
    {
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(_ =>
        {
            env.Err.WriteLine($"pipelock {cmd.Name}: not implemented in this build");
            return ExitCodes.Error;
        });
        return cmd;
    }
}
