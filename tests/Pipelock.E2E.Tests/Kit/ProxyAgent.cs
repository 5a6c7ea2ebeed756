using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>The parts of the agent's YAML the forward-proxy and operations tests vary; <see cref="ProxyAgent.ConfigYaml"/> renders them.</summary>
public sealed record AgentSettings
{
    /// <summary><c>response_scanning.action</c>: block, strip or warn.</summary>
    public string ResponseAction { get; init; } = "block";

    /// <summary><c>request_body_scanning.action</c> (body and header DLP).</summary>
    public string RequestBodyAction { get; init; } = "block";

    /// <summary><c>kill_switch.enabled</c>: the config source of the kill switch.</summary>
    public bool KillSwitch { get; init; }

    public bool TlsInterception { get; init; } = true;

    /// <summary><c>tls_interception.passthrough_domains</c>: CONNECT hosts spliced instead of bumped.</summary>
    public IReadOnlyList<string> Passthrough { get; init; } = [ProxyAgent.SpliceHost];

    /// <summary>Appended verbatim at the end of the file (top-level sections only).</summary>
    public string ExtraYaml { get; init; } = "";
}

/// <summary>
/// The real <c>pipelock run</c> as a forward proxy, with upstreams of the test's own behind it:
/// <list type="bullet">
/// <item>an HTTPS <see cref="RecordingUpstream"/> whose <see cref="TestPki"/> leaf names <see cref="UpstreamHost"/> and
/// <see cref="SpliceHost"/> (the agent trusts the test CA through <c>tls_interception.upstream_ca_file</c>), and a plain
/// HTTP one;</item>
/// <item>the agent in a private mount namespace (<c>unshare --mount</c>) whose /etc/hosts, bind-mounted from this
/// harness's temp directory, maps both names to 127.0.0.1. The test process cannot resolve them, so Ruby's clients keep
/// the proxy (they bypass it for hosts that resolve to loopback) and curl sends CONNECT with the name. Only the agent's
/// view of /etc/hosts changes; the network namespace is the host's, and all traffic stays on 127.0.0.1;</item>
/// <item>TLS interception with a CA the agent creates at <see cref="AgentCaPath"/> on start, which the clients trust.</item>
/// </list>
/// Dispose kills the agent and stops the upstreams, even after a failed start.
/// </summary>
public sealed partial class ProxyAgent : IAsyncDisposable
{
    public const string UpstreamHost = "upstream.test";
    public const string SpliceHost = "splice.test";

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    private AgentProcess? _process;

    private ProxyAgent(string directory, TestPki pki)
    {
        Directory = directory;
        Pki = pki;
        ApiToken = TestSecrets.Alphanumeric(40);
    }

    public string Directory { get; }
    public TestPki Pki { get; }
    public RecordingUpstream Https { get; private set; } = null!;
    public RecordingUpstream Http { get; private set; } = null!;
    public AgentProcess Process => _process ?? throw new InvalidOperationException("agent not started");
    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port, the forward listener (also /health, /metrics, /stats and the kill-switch API).</summary>
    public Uri ProxyUri => new($"http://127.0.0.1:{Port}");

    public string ConfigPath => Path.Combine(Directory, "pipelock.yaml");
    public string HostsPath => Path.Combine(Directory, "hosts");
    public string AgentCaPath => Path.Combine(Directory, "agent-ca", "ca.pem");
    public string AgentCaKeyPath => Path.Combine(Directory, "agent-ca", "ca-key.pem");
    public string SentinelPath => Path.Combine(Directory, "kill", "sentinel");

    /// <summary><c>kill_switch.api_token</c>, random per harness.</summary>
    public string ApiToken { get; }

    public AgentSettings Settings { get; private set; } = new();

    /// <summary>https://upstream.test:port/path: bumped by the agent (its CA signs what the client sees).</summary>
    public string Url(string pathAndQuery) => Https.UriFor(UpstreamHost, pathAndQuery).AbsoluteUri;

    /// <summary>https://splice.test:port/path: in passthrough_domains, so spliced (the client sees the upstream's own certificate).</summary>
    public string SpliceUrl(string pathAndQuery) => Https.UriFor(SpliceHost, pathAndQuery).AbsoluteUri;

    /// <summary>http://upstream.test:port/path on the plain-HTTP upstream (absolute-form through the proxy).</summary>
    public string HttpUrl(string pathAndQuery) => Http.UriFor(UpstreamHost, pathAndQuery).AbsoluteUri;

    /// <summary>True when the config is mounted the way a Kubernetes ConfigMap volume is (see <see cref="StartAsync"/>).</summary>
    public bool ConfigMapLayout { get; private set; }

    /// <param name="configMapLayout">
    /// Lay the config out as kubelet does for a ConfigMap volume (Sure's Helm chart): <c>pipelock.yaml</c> is a symlink
    /// to <c>..data/pipelock.yaml</c>, <c>..data</c> a symlink to a timestamped directory, and an update writes a new
    /// directory and renames a fresh <c>..data</c> symlink over the old one; the file itself is never written.
    /// </param>
    public static async Task<ProxyAgent> StartAsync(AgentSettings? settings = null, bool configMapLayout = false)
    {
        if (NamespaceSupport.WhyNot is { } why) throw new InvalidOperationException(why);
        var dir = Path.Combine(Path.GetTempPath(), "pipelock-e2e-agent-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var agent = new ProxyAgent(dir, TestPki.Create());
        try
        {
            agent.Https = await RecordingUpstream.StartAsync(agent.Pki.IssueServerCertificate(UpstreamHost, SpliceHost)).ConfigureAwait(false);
            agent.Http = await RecordingUpstream.StartAsync().ConfigureAwait(false);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(agent.SentinelPath)!);
            await File.WriteAllTextAsync(agent.HostsPath,
                $"127.0.0.1 localhost\n::1 localhost ip6-localhost\n127.0.0.1 {UpstreamHost} {SpliceHost}\n").ConfigureAwait(false);
            agent.Settings = settings ?? new AgentSettings();
            agent.ConfigMapLayout = configMapLayout;
            if (configMapLayout)
            {
                await agent.SwapConfigMapAsync(agent.ConfigYaml(agent.Settings)).ConfigureAwait(false);
                File.CreateSymbolicLink(agent.ConfigPath, Path.Combine("..data", "pipelock.yaml"));
            }
            else
            {
                await File.WriteAllTextAsync(agent.ConfigPath, agent.ConfigYaml(agent.Settings)).ConfigureAwait(false);
            }
            agent.Port = FreePort.Get();
            agent._process = await StartNamespacedAsync(agent.HostsPath,
                ["run", "--config", agent.ConfigPath, "--listen", "127.0.0.1:" + agent.Port.ToString(CultureInfo.InvariantCulture)],
                new Uri(agent.ProxyUri, "/health")).ConfigureAwait(false);
            if (agent.Settings.TlsInterception && !File.Exists(agent.AgentCaPath))
                throw new InvalidOperationException("the agent did not create its CA at " + agent.AgentCaPath + "\n" + agent.Process.Output);
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts <c>pipelock</c> with <paramref name="args"/> in a new mount namespace where <paramref name="hostsFile"/> is
    /// /etc/hosts. unshare and sh exec into the agent, so the returned process (and its pid, for signals) is the agent.
    /// </summary>
    public static Task<AgentProcess> StartNamespacedAsync(string hostsFile, IReadOnlyList<string> args, Uri? healthUrl)
    {
        var binary = RepoPaths.AgentBinary;
        // $0 = hosts file, $1 = agent binary (or its .dll for a build without apphost), the rest = its arguments:
        // positional, so no path is ever quoted into the script.
        var script = File.Exists(binary)
            ? "mount --bind \"$0\" /etc/hosts && exec \"$@\""
            : "mount --bind \"$0\" /etc/hosts && bin=\"$1\" && shift && exec dotnet \"$bin.dll\" \"$@\"";
        string[] all = ["--mount", "--propagation", "private", "sh", "-c", script, hostsFile, binary, .. args];
        return AgentProcess.StartAsync(all, healthUrl: healthUrl, timeout: StartTimeout, binary: "unshare");
    }

    /// <summary>The YAML for <paramref name="s"/>, with this harness's paths, token and trusted names.</summary>
    public string ConfigYaml(AgentSettings s)
    {
        var sb = new StringBuilder();
        sb.Append("version: 1\nmode: balanced\n");
        // The test names resolve to 127.0.0.1 for the agent; trusting them is narrower than switching SSRF off.
        sb.Append($"trusted_domains: [\"{UpstreamHost}\", \"{SpliceHost}\"]\n");
        sb.Append("forward_proxy:\n  enabled: true\n  max_tunnel_seconds: 300\n  idle_timeout_seconds: 60\n");
        sb.Append("tls_interception:\n");
        sb.Append($"  enabled: {Bool(s.TlsInterception)}\n");
        sb.Append($"  ca_cert: {Quote(AgentCaPath)}\n  ca_key: {Quote(AgentCaKeyPath)}\n  upstream_ca_file: {Quote(Pki.CaPemPath)}\n");
        if (s.Passthrough.Count > 0) sb.Append("  passthrough_domains: [").Append(string.Join(", ", s.Passthrough.Select(Quote))).Append("]\n");
        sb.Append($"request_body_scanning:\n  enabled: true\n  action: {s.RequestBodyAction}\n  scan_headers: true\n  header_mode: sensitive\n");
        sb.Append($"response_scanning:\n  enabled: true\n  action: {s.ResponseAction}\n  include_defaults: true\n  sse_streaming:\n    enabled: true\n    action: block\n");
        sb.Append($"kill_switch:\n  enabled: {Bool(s.KillSwitch)}\n  api_token: {Quote(ApiToken)}\n  sentinel_file: {Quote(SentinelPath)}\n");
        sb.Append("logging:\n  format: json\n  output: stdout\n  include_allowed: true\n  include_blocked: true\n");
        if (s.ExtraYaml.Length > 0) sb.Append(s.ExtraYaml.TrimEnd('\n')).Append('\n');
        return sb.ToString();

        static string Bool(bool b) => b ? "true" : "false";
        static string Quote(string v) => JsonSerializer.Serialize(v); // a JSON string is a valid YAML double-quoted scalar
    }

    /// <summary>
    /// Replaces the config file the way editors and ConfigMap updates do (write a sibling, rename over), or in place
    /// (truncate and write) when <paramref name="inPlace"/>. Returns the agent's output line count before the write, for
    /// waiting on what follows it.
    /// </summary>
    public async Task<int> WriteConfigAsync(string yaml, bool inPlace = false)
    {
        var mark = Process.LineCount;
        if (ConfigMapLayout)
        {
            await SwapConfigMapAsync(yaml).ConfigureAwait(false);
        }
        else if (inPlace)
        {
            await File.WriteAllTextAsync(ConfigPath, yaml).ConfigureAwait(false);
        }
        else
        {
            var tmp = ConfigPath + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            await File.WriteAllTextAsync(tmp, yaml).ConfigureAwait(false);
            File.Move(tmp, ConfigPath, overwrite: true);
        }
        return mark;
    }

    /// <summary>kubelet's AtomicWriter: a new timestamped directory, a "..data_tmp" symlink to it renamed over "..data".</summary>
    private async Task SwapConfigMapAsync(string yaml)
    {
        var version = "..pipelock_" + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, version));
        await File.WriteAllTextAsync(Path.Combine(Directory, version, "pipelock.yaml"), yaml).ConfigureAwait(false);
        var tmp = Path.Combine(Directory, "..data_tmp");
        File.CreateSymbolicLink(tmp, version);
        // rename(2) itself: File.Move follows the link to the directory and refuses it.
        if (rename(tmp, Path.Combine(Directory, "..data")) != 0)
            throw new IOException($"rename {tmp} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int rename(string oldPath, string newPath);

    /// <summary>Writes <paramref name="settings"/> and waits (bounded) for the agent to log a successful reload of it.</summary>
    public async Task<JsonElement> ReloadAsync(AgentSettings settings, bool inPlace = false)
    {
        var mark = await WriteConfigAsync(ConfigYaml(settings), inPlace).ConfigureAwait(false);
        var ev = await WaitForEventAsync("config_reload", e => e.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True, mark).ConfigureAwait(false);
        Settings = settings;
        return ev;
    }

    /// <summary>The decision-log events (JSON lines on stdout) named <paramref name="eventName"/>, from output line <paramref name="skip"/> on.</summary>
    public IReadOnlyList<JsonElement> Events(string eventName, int skip = 0) =>
        Process.Lines.Skip(skip).Select(l => TryParseEvent(l)).Where(e => e is { } v && EventIs(v, eventName)).Select(e => e!.Value).ToList();

    /// <summary>First decision-log event named <paramref name="eventName"/> (from output line <paramref name="skip"/>) matching <paramref name="match"/>.</summary>
    public async Task<JsonElement> WaitForEventAsync(string eventName, Func<JsonElement, bool>? match = null, int skip = 0, TimeSpan? timeout = null)
    {
        var line = await Process.WaitForLineAsync(text =>
        {
            var e = TryParse(text);
            return e is { } v && EventIs(v, eventName) && (match is null || match(v));
        }, timeout ?? EventTimeout, skip).ConfigureAwait(false);
        return TryParse(line)!.Value;
    }

    /// <summary>Routes a request through the agent with one of the real clients, trusting <paramref name="caFile"/> (default: the agent's CA).</summary>
    public Task<ClientResponse> SendAsync(ProxyClient client, string url, string method = "GET", string? body = null,
        IDictionary<string, string>? headers = null, string? caFile = null, TimeSpan? timeout = null) =>
        ProxyClients.SendAsync(client, ProxyUri, url, method, body, headers, caFile ?? AgentCaPath, timeout);

    /// <summary>GET/POST to the agent's own endpoints (no proxy).</summary>
    public async Task<(HttpStatusCode Status, string Body)> OwnEndpointAsync(string pathAndQuery, HttpMethod? method = null, string? body = null, string? bearer = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var req = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(ProxyUri, pathAndQuery));
        if (body is not null) req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (bearer is not null) req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var res = await http.SendAsync(req).ConfigureAwait(false);
        return (res.StatusCode, await res.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync().ConfigureAwait(false);
        if (Https is not null) await Https.DisposeAsync().ConfigureAwait(false);
        if (Http is not null) await Http.DisposeAsync().ConfigureAwait(false);
        Pki.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static JsonElement? TryParseEvent(OutputLine line) => line.IsStderr ? null : TryParse(line.Text);

    private static JsonElement? TryParse(string text)
    {
        if (!text.StartsWith('{')) return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool EventIs(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == name;
}
