using System.ComponentModel;
using System.Diagnostics;

namespace Pipelock.Interceptor.Rules;

/// <summary>Exit code and output of one tool run.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>Exit code for "the program does not exist" (the shell's convention).</summary>
    public const int NotFound = 127;
}

/// <summary>Runs firewall and routing tools; a seam so tests can fake them or run them inside a network namespace.</summary>
public interface ICommandRunner
{
    Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Runs tools as child processes with a bounded timeout (a wedged <c>nft</c> holding the netlink lock must not hang
/// agent start-up). <paramref name="prefix"/> is prepended to every command, e.g.
/// <c>["nsenter", "--net=/run/netns/X"]</c> in tests: the rules then land in that namespace, never the host's.
/// </summary>
public sealed class ProcessCommandRunner(IReadOnlyList<string>? prefix = null, TimeSpan? timeout = null) : ICommandRunner
{
    private readonly IReadOnlyList<string> _prefix = prefix ?? [];
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var all = _prefix.Concat(argv).ToList();
        var psi = new ProcessStartInfo(all[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in all.Skip(1)) psi.ArgumentList.Add(a);
        // Stable, English error text: callers show it to operators and tests match on "No such file or directory".
        psi.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new CommandResult(CommandResult.NotFound, "", $"{all[0]}: {e.Message}");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            try
            {
                if (stdin is not null) await process.StandardInput.WriteAsync(stdin.AsMemory(), limit.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool exited before reading all of stdin (a parse error): its exit code and stderr say why.
            }
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already exited */ }
            if (cancellationToken.IsCancellationRequested) throw;
            throw new TransparentRulesException($"{string.Join(' ', argv)}: no answer within {_timeout.TotalSeconds:0} s");
        }
    }
}
