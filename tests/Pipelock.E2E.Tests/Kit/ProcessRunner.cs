using System.Diagnostics;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>What a one-shot process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>A line of a child's output and the moment (UTC, this process's clock) it was read.</summary>
public sealed record TimedLine(DateTime ReceivedAtUtc, string Text);

/// <summary>Runs client processes (curl, ruby, pipelock one-shot verbs), always bounded by a timeout.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Variables removed from every child's inherited environment, so a test sees only the proxy and trust settings it
    /// gives explicitly (the CI machine exports SSL_CERT_FILE, a developer may export a proxy). Pass them in
    /// <c>env</c> to set them.
    /// </summary>
    public static readonly IReadOnlyList<string> ScrubbedVariables =
    [
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
        "ftp_proxy", "FTP_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE",
    ];

    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var stdout = new TextSink();
        var exit = await RunCoreAsync(file, args, env, stdin, timeout, workingDirectory, stdout.PumpAsync, stdout.ToString)
            .ConfigureAwait(false);
        return new ProcessResult(exit.Code, stdout.ToString(), exit.Stderr);
    }

    /// <summary>
    /// Like <see cref="RunAsync"/>, but reads stdout line by line as it arrives and timestamps each line when read,
    /// so a test can tell whether a stream reached the client incrementally or all at once.
    /// </summary>
    public static async Task<(ProcessResult Result, IReadOnlyList<TimedLine> Lines)> RunStreamingAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var lines = new RecordList<TimedLine>();
        var exit = await RunCoreAsync(file, args, env, stdin, timeout, workingDirectory,
            async reader =>
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                    lines.Add(new TimedLine(DateTime.UtcNow, line));
            },
            () => string.Join('\n', lines.Snapshot().Select(l => l.Text))).ConfigureAwait(false);
        var all = lines.Snapshot();
        return (new ProcessResult(exit.Code, string.Join('\n', all.Select(l => l.Text)), exit.Stderr), all);
    }

    /// <summary>Starts from this process's environment minus <see cref="ScrubbedVariables"/>, then applies <paramref name="env"/>.</summary>
    public static void ApplyEnvironment(ProcessStartInfo psi, IDictionary<string, string>? env)
    {
        foreach (var name in ScrubbedVariables) psi.Environment.Remove(name);
        if (env is null) return;
        foreach (var (k, v) in env) psi.Environment[k] = v;
    }

    private static async Task<(int Code, string Stderr)> RunCoreAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env, string? stdin, TimeSpan? timeout,
        string? workingDirectory, Func<StreamReader, Task> readStdout, Func<string> stdoutSoFar)
    {
        var limit = timeout ?? DefaultTimeout;
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        ApplyEnvironment(psi, env);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        var stderr = new TextSink();
        var outTask = Task.Run(() => readStdout(process.StandardOutput));
        var errTask = Task.Run(() => stderr.PumpAsync(process.StandardError));
        try
        {
            if (stdin is not null)
            {
                try { await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false); }
                catch (IOException) { } // the child may exit without reading its input; its exit code tells the story
            }
            try { process.StandardInput.Close(); } catch (IOException) { }

            using var cts = new CancellationTokenSource(limit);
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            await Task.WhenAll(outTask, errTask).WaitAsync(cts.Token).ConfigureAwait(false);
            return (process.ExitCode, stderr.ToString());
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException(
                $"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {limit.TotalSeconds:0.#} s; killed.\n" +
                $"--- stdout so far ---\n{stdoutSoFar()}\n--- stderr so far ---\n{stderr}");
        }
        finally
        {
            if (!process.HasExited) Kill(process);
        }
    }

    internal static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
        try { process.WaitForExit(5000); } catch (InvalidOperationException) { }
    }

    /// <summary>Text read so far, safe to look at from another thread (for the timeout message).</summary>
    private sealed class TextSink
    {
        private readonly StringBuilder _text = new();

        public async Task PumpAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            int n;
            while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                lock (_text) _text.Append(buffer, 0, n);
        }

        public override string ToString() { lock (_text) return _text.ToString(); }
    }
}
