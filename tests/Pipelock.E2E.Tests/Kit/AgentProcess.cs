using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>One line the agent wrote, on which stream, and when it was read.</summary>
public sealed record OutputLine(DateTime ReceivedAtUtc, bool IsStderr, string Text)
{
    public override string ToString() => (IsStderr ? "[err] " : "[out] ") + Text;
}

/// <summary>
/// The real <c>pipelock</c> executable as a child process: output captured line by line, readiness by polling a
/// health URL, POSIX signals, and a dispose that always kills and reaps it, so a failing test leaves no listener behind.
/// </summary>
public sealed partial class AgentProcess : IAsyncDisposable
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly RecordList<OutputLine> _lines = new();
    private readonly Task _exited;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AgentProcess(Process process)
    {
        _process = process;
        _exited = WatchExitAsync();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited and its output is drained; null while it runs.</summary>
    public int? ExitCode { get; private set; }

    public IReadOnlyList<OutputLine> Lines => _lines.Snapshot();

    public int LineCount => _lines.Count;

    /// <summary>Everything captured so far, one line each, tagged by stream (for assertion messages).</summary>
    public string Output => string.Join('\n', _lines.Snapshot());

    /// <summary>
    /// Starts the binary (<see cref="RepoPaths.AgentBinary"/> unless <paramref name="binary"/> is given) with an
    /// environment scrubbed of proxy and CA variables plus <paramref name="env"/>; when <paramref name="healthUrl"/>
    /// is given, returns only after it answered 200. On failure the process is killed and the exception carries its output.
    /// </summary>
    public static async Task<AgentProcess> StartAsync(
        string[] args, IDictionary<string, string>? env = null, Uri? healthUrl = null, TimeSpan? timeout = null,
        string? binary = null, string? workingDirectory = null)
    {
        var psi = CreateStartInfo(binary ?? RepoPaths.AgentBinary, args);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        ProcessRunner.ApplyEnvironment(psi, env);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) agent._lines.Add(new OutputLine(DateTime.UtcNow, false, e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) agent._lines.Add(new OutputLine(DateTime.UtcNow, true, e.Data)); };
        try
        {
            if (!process.Start()) throw new InvalidOperationException("could not start " + psi.FileName);
        }
        catch (Exception e)
        {
            agent._started.TrySetException(e);
            process.Dispose();
            throw;
        }
        agent._started.TrySetResult();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();

        try
        {
            if (healthUrl is not null) await agent.WaitHealthyAsync(healthUrl, timeout ?? DefaultStartTimeout).ConfigureAwait(false);
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a one-shot verb (e.g. <c>healthcheck</c>, <c>version</c>) to completion, bounded.</summary>
    public static Task<ProcessResult> RunToExitAsync(
        string[] args, TimeSpan? timeout = null, IDictionary<string, string>? env = null, string? stdin = null,
        string? binary = null)
    {
        var psi = CreateStartInfo(binary ?? RepoPaths.AgentBinary, args);
        return ProcessRunner.RunAsync(psi.FileName, psi.ArgumentList, env, stdin, timeout ?? ProcessRunner.DefaultTimeout);
    }

    /// <summary>First captured line (stdout or stderr, earlier ones included, from index <paramref name="skip"/>) matching the predicate.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, int skip = 0)
    {
        var line = await _lines.WaitForAsync(l => predicate(l.Text), timeout, skip, () => "captured output:\n" + Output).ConfigureAwait(false);
        return line.Text;
    }

    /// <summary>Waits (bounded) for the process to exit and its output to be drained; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try { await _exited.WaitAsync(timeout).ConfigureAwait(false); }
        catch (TimeoutException) { throw new TimeoutException($"pipelock (pid {Pid}) still running after {timeout.TotalSeconds:0.#} s\n{Output}"); }
        return ExitCode!.Value;
    }

    /// <summary>Sends a POSIX signal (SIGTERM, SIGINT, SIGHUP, …) to the process.</summary>
    public void Signal(int signo)
    {
        if (HostSystem.Kill(Pid, signo) != 0)
            throw new InvalidOperationException($"kill({Pid}, {signo}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) ProcessRunner.Kill(_process);
        try { await _exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (TimeoutException) { } // killed; the pipes of a stuck grandchild must not hang the test run
        _process.Dispose();
    }

    private async Task WatchExitAsync()
    {
        await _started.Task.ConfigureAwait(false);
        // With BeginOutputReadLine, WaitForExitAsync also waits for both streams to reach EOF, so every line is in.
        await _process.WaitForExitAsync().ConfigureAwait(false);
        ExitCode = _process.ExitCode;
        _lines.Close(new InvalidOperationException($"pipelock exited with code {ExitCode}"));
    }

    private async Task WaitHealthyAsync(Uri healthUrl, TimeSpan timeout)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            // Readiness only: the health listener may be TLS with the agent's own CA; trust is tested elsewhere.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                await _exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                throw new InvalidOperationException($"pipelock exited with code {ExitCode} before {healthUrl} answered 200\n{Output}");
            }
            try
            {
                using var res = await http.GetAsync(healthUrl).ConfigureAwait(false);
                if (res.StatusCode == HttpStatusCode.OK) return;
                last = $"HTTP {(int)res.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{healthUrl} did not answer 200 within {timeout.TotalSeconds:0.#} s (last: {last})\n{Output}");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>The apphost when present, else <c>dotnet pipelock.dll</c> (a build with UseAppHost=false).</summary>
    private static ProcessStartInfo CreateStartInfo(string binary, string[] args)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (!File.Exists(binary) && File.Exists(binary + ".dll"))
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(binary + ".dll");
        }
        else
        {
            psi.FileName = binary;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
