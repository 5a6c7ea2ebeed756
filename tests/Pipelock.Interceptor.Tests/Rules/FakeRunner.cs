using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>
/// A scripted stand-in for nft/ip/iptables: records every command and answers from a handler, so the facade's
/// command sequence (what is checked before it is added, what is removed) is tested without privileges.
/// </summary>
internal sealed class FakeRunner(Func<string, string?, CommandResult?>? handler = null) : ICommandRunner
{
    public List<string> Commands { get; } = [];
    public List<string?> Inputs { get; } = [];

    public Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var line = string.Join(' ', argv);
        Commands.Add(line);
        Inputs.Add(stdin);
        return Task.FromResult(handler?.Invoke(line, stdin) ?? new CommandResult(0, "", ""));
    }

    public static CommandResult Ok(string stdout = "") => new(0, stdout, "");
    public static CommandResult Fail(string stderr, int code = 1) => new(code, "", stderr);
}
