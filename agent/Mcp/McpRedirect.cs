using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Pipelock.Scanners.Policy;

namespace Pipelock.Agent.Mcp;

/// <summary>Result of running a redirect handler: its stdout when it succeeded, else why it failed.</summary>
public sealed record McpRedirectRun(bool Ok, string Output, string? Failure, int? ExitCode);

/// <summary>
/// Runs a <c>redirect_profiles</c> handler for a tool call a rule redirected (Pipelock v2.0): the profile's argv is
/// executed directly (no shell, so nothing in the arguments is ever interpreted), the tool arguments go to stdin as
/// JSON, and stdout becomes the tool's result. Any failure (cannot start, non-zero exit, timeout, output over the cap)
/// fails closed: the caller blocks the call. The handler gets PATH and nothing else from our environment, so the
/// proxy's own secrets (API tokens) never reach it.
/// </summary>
public static class McpRedirect
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public const int MaxOutputBytes = 1024 * 1024;

    public static async Task<McpRedirectRun> RunAsync(RedirectProfile profile, string argumentsJson, CancellationToken ct)
    {
        if (profile.Exec.IsDefaultOrEmpty || string.IsNullOrWhiteSpace(profile.Exec[0])) return Fail("profile has no exec");
        var program = profile.Exec[0];
        if (profile.MatchAbsPath && !Path.IsPathFullyQualified(program)) return Fail("exec is not an absolute path (match_abs_path)");

        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        for (int i = 1; i < profile.Exec.Length; i++) psi.ArgumentList.Add(profile.Exec[i]);
        if (profile.PreserveArgv) psi.ArgumentList.Add(argumentsJson);
        var path = Environment.GetEnvironmentVariable("PATH");
        psi.Environment.Clear();
        if (path is not null) psi.Environment["PATH"] = path;

        using var process = new Process { StartInfo = psi };
        try
        {
            if (!process.Start()) return Fail("handler did not start");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return Fail("handler did not start: " + e.Message);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            var stdout = ReadCappedAsync(process.StandardOutput.BaseStream, MaxOutputBytes, timeout.Token);
            var stderr = ReadCappedAsync(process.StandardError.BaseStream, 64 * 1024, timeout.Token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(argumentsJson), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The handler need not read its input (it exited or closed stdin): its exit code decides.
            }
            var (output, tooLarge) = await stdout.ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (tooLarge) return Fail($"handler output over {MaxOutputBytes} bytes", process.ExitCode);
            if (process.ExitCode != 0) return Fail("handler exited with " + process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), process.ExitCode);
            return new McpRedirectRun(true, output, null, 0);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            return Fail(ct.IsCancellationRequested ? "client went away" : $"handler timed out after {Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The handler's output as the tool's JSON-RPC success (<c>{"content":[{"type":"text","text":…}]}</c>).</summary>
    public static byte[] Wrap(string? idRaw, string text)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length + 96);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WritePropertyName("id");
            // idRaw is the client's id exactly as it passed JSON-RPC validation (a string, number or null).
            if (idRaw is null) w.WriteNullValue(); else w.WriteRawValue(idRaw);
            w.WriteStartObject("result");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static McpRedirectRun Fail(string why, int? exit = null) => new(false, "", why, exit);

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private static async Task<(string Text, bool TooLarge)> ReadCappedAsync(Stream stream, int cap, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        bool tooLarge = false;
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
                if (n == 0) break;
                // Past the cap keep draining (so the handler is not blocked on a full pipe) but keep nothing.
                if (buffer.WrittenCount + n > cap) tooLarge = true;
                else buffer.Write(chunk.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), tooLarge);
    }
}
