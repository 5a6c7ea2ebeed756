using System.Globalization;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>Options for one curl invocation; every field optional.</summary>
public sealed class CurlRequest
{
    public string Method { get; init; } = "GET";

    /// <summary>Sent with --data-binary from stdin.</summary>
    public string? Body { get; init; }

    public IDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>--proxy (e.g. http://127.0.0.1:8888); null = no proxy at all (--noproxy '*').</summary>
    public Uri? Proxy { get; init; }

    /// <summary>--cacert: the only roots curl trusts for the target.</summary>
    public string? CaFile { get; init; }

    /// <summary>--resolve entries "host:port:address", to reach a test name like upstream.test on 127.0.0.1 without a proxy.</summary>
    public IReadOnlyList<string> Resolve { get; init; } = [];

    /// <summary>--http1.1 (what Ruby clients speak); otherwise curl may negotiate h2 over TLS.</summary>
    public bool Http11 { get; init; }

    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>Bounds the process (and curl's --max-time, a little earlier).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>curl's outcome. <see cref="ConnectStatus"/> is the proxy's answer to CONNECT (0 when there was none).</summary>
public sealed record CurlResult(int ExitCode, int HttpStatus, int ConnectStatus, byte[] BodyBytes, string HeaderText, string Stderr)
{
    public string Body => Encoding.UTF8.GetString(BodyBytes);

    /// <summary>Headers of the final response (after any CONNECT response block), last value wins.</summary>
    public IReadOnlyDictionary<string, string> Headers
    {
        get
        {
            var blocks = HeaderText.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
            var last = blocks.LastOrDefault() ?? "";
            var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in last.Split('\n').Skip(1))
            {
                var i = line.IndexOf(':');
                if (i > 0) d[line[..i].Trim()] = line[(i + 1)..].Trim();
            }
            return d;
        }
    }

    public override string ToString() =>
        $"curl exit {ExitCode}, HTTP {HttpStatus} (CONNECT {ConnectStatus})\n--- headers ---\n{HeaderText}\n--- body ---\n{Body}\n--- stderr ---\n{Stderr}";
}

/// <summary>A streamed curl run: stdout lines timestamped as this process read them.</summary>
public sealed record CurlStreamResult(int ExitCode, int HttpStatus, IReadOnlyList<TimedLine> Lines, string Stderr)
{
    public override string ToString() =>
        $"curl exit {ExitCode}, HTTP {HttpStatus}\n--- lines ---\n{string.Join('\n', Lines.Select(l => l.ReceivedAtUtc.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + l.Text))}\n--- stderr ---\n{Stderr}";
}

/// <summary>curl -sS with proxy/CA/resolve options; status codes via -w so failures are visible, not swallowed.</summary>
public static class Curl
{
    private const string StatusMarker = "@@pipelock-curl@@";

    public static Task<CurlResult> RequestAsync(string url, CurlRequest? request = null) =>
        RequestAsync(url, request, Direct, NewTempDirectory);

    /// <summary>How curl is started: plainly here; through <c>ip netns exec</c> (and setpriv) by <see cref="NetnsTopology"/>.</summary>
    internal delegate (string File, IEnumerable<string> Args) Launcher(List<string> curlArgs);

    private static (string File, IEnumerable<string> Args) Direct(List<string> curlArgs) => ("curl", curlArgs);

    private static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pipelock-e2e-curl-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <param name="outputDirectory">Makes the directory curl writes body and headers into (it may run as another uid).</param>
    internal static async Task<CurlResult> RequestAsync(string url, CurlRequest? request, Launcher launch, Func<string> outputDirectory)
    {
        request ??= new CurlRequest();
        var dir = outputDirectory();
        try
        {
            var bodyFile = Path.Combine(dir, "body");
            var headerFile = Path.Combine(dir, "headers");
            var args = CommonArgs(url, request);
            args.AddRange(["-o", bodyFile, "-D", headerFile, "-w", "%{http_code} %{http_connect}"]);
            var (file, argv) = launch(args);
            var raw = await ProcessRunner.RunAsync(file, argv, stdin: request.Body, timeout: request.Timeout + TimeSpan.FromSeconds(5))
                .ConfigureAwait(false);
            var codes = raw.Stdout.Trim().Split(' ');
            return new CurlResult(
                raw.ExitCode,
                codes.Length > 0 && int.TryParse(codes[0], out var s) ? s : 0,
                codes.Length > 1 && int.TryParse(codes[1], out var c) ? c : 0,
                File.Exists(bodyFile) ? await File.ReadAllBytesAsync(bodyFile).ConfigureAwait(false) : [],
                File.Exists(headerFile) ? await File.ReadAllTextAsync(headerFile).ConfigureAwait(false) : "",
                raw.Stderr);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// curl --no-buffer with the body on stdout, each line timestamped when this process read it: shows whether a
    /// stream (SSE) reached the client incrementally. The status line curl appends at the end is not among the lines.
    /// </summary>
    public static Task<CurlStreamResult> StreamAsync(string url, CurlRequest? request = null) => StreamAsync(url, request, Direct);

    internal static async Task<CurlStreamResult> StreamAsync(string url, CurlRequest? request, Launcher launch)
    {
        request ??= new CurlRequest();
        var args = CommonArgs(url, request);
        args.AddRange(["--no-buffer", "-w", "\n" + StatusMarker + " %{http_code}\n"]);
        var (file, argv) = launch(args);
        var (raw, lines) = await ProcessRunner.RunStreamingAsync(file, argv, stdin: request.Body, timeout: request.Timeout + TimeSpan.FromSeconds(5))
            .ConfigureAwait(false);
        var status = 0;
        var kept = new List<TimedLine>();
        foreach (var l in lines)
        {
            if (l.Text.StartsWith(StatusMarker, StringComparison.Ordinal)) int.TryParse(l.Text.AsSpan(StatusMarker.Length).Trim(), out status);
            else kept.Add(l);
        }
        // -w starts with a newline so the marker is on its own line; drop the empty line it adds after a body ending in "\n".
        if (kept.Count > 0 && kept[^1].Text.Length == 0) kept.RemoveAt(kept.Count - 1);
        return new CurlStreamResult(raw.ExitCode, status, kept, raw.Stderr);
    }

    private static List<string> CommonArgs(string url, CurlRequest r)
    {
        var args = new List<string> { "-sS", "--max-time", ((int)Math.Max(1, r.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture), "-X", r.Method };
        if (r.Proxy is not null) args.AddRange(["--proxy", r.Proxy.ToString().TrimEnd('/')]);
        else args.AddRange(["--noproxy", "*"]);
        if (r.CaFile is not null) args.AddRange(["--cacert", r.CaFile]);
        foreach (var res in r.Resolve) args.AddRange(["--resolve", res]);
        if (r.Http11) args.Add("--http1.1");
        foreach (var (k, v) in r.Headers) args.AddRange(["-H", $"{k}: {v}"]);
        if (r.Body is not null) args.AddRange(["--data-binary", "@-"]);
        args.AddRange(r.ExtraArgs);
        args.Add(url);
        return args;
    }
}
