using System.Globalization;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// A three-namespace world for transparent interception: the upstream (HTTPS with certificates from a test "public"
/// CA) in the server namespace, the real `pipelock run` with <c>transparent.enabled</c> in the proxy namespace (it
/// installs its own nftables rules there), and clients either in the proxy namespace under another uid (local mode)
/// or in the client namespace routed through the proxy namespace (gateway mode). Clients carry NO proxy variables;
/// they trust the agent's CA through SSL_CERT_FILE / --cacert, as the app's containers will.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TransparentRig : IAsyncDisposable
{
    public const int ClientUid = NetnsTopology.NobodyUid;
    public const string ControlListen = "127.0.0.1:18888";

    private TransparentRig(NetnsTopology topology, NetnsUpstream upstream, string dir, TestPki? agentTrustedPki)
    {
        Topology = topology;
        Upstream = upstream;
        Dir = dir;
        _agentTrustedPki = agentTrustedPki;
    }

    /// <summary>Set when the upstream's CA is NOT the one the agent trusts: the CA the agent was given instead.</summary>
    private readonly TestPki? _agentTrustedPki;

    public NetnsTopology Topology { get; }
    public NetnsUpstream Upstream { get; }
    public AgentProcess Agent { get; private set; } = null!;
    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "pipelock.yaml");

    /// <summary>The agent's CA, readable by the unprivileged client uid.</summary>
    public string AgentCaPath => Path.Combine(Dir, "agent-ca.pem");

    /// <summary>System roots plus the agent's CA: SSL_CERT_FILE for Ruby and .NET clients.</summary>
    public string ClientBundlePath => Path.Combine(Dir, "client-bundle.pem");

    /// <summary>Where clients run: the proxy namespace (local mode) or the client namespace (gateway mode).</summary>
    public string ClientNs { get; private set; } = "";
    public int? ClientUidOrNull { get; private set; }

    /// <param name="extraYaml">Appended after the scope lines: indent by two spaces to land in <c>transparent</c>.</param>
    /// <param name="upstreamHttpsPorts">The upstream's HTTPS ports (default 443 only), e.g. a port outside transparent.ports.</param>
    /// <param name="untrustedUpstream">The agent's upstream_ca_file is a different CA than the one that signed the upstream.</param>
    /// <param name="scopeYaml">Replaces the default capture scope (local: the client uid; gateway: the client-side interface).</param>
    /// <param name="extraHostNames">More names mapped to the server in every namespace's hosts, but absent from its certificate.</param>
    /// <param name="expiredUpstream">The upstream serves an expired certificate from the CA the agent trusts.</param>
    public static async Task<TransparentRig> StartAsync(string mode = "local", string extraYaml = "", bool v6Hosts = false, IReadOnlyList<string>? passthrough = null,
        IReadOnlyList<int>? upstreamHttpsPorts = null, bool untrustedUpstream = false, string? scopeYaml = null, IReadOnlyList<string>? extraHostNames = null,
        bool expiredUpstream = false, string? bodyOversize = null, bool withoutNft = false, string responseAction = "block")
    {
        var topology = await NetnsTopology.CreateAsync("pl");
        NetnsUpstream? upstream = null;
        TestPki? trusted = null;
        try
        {
            upstream = await NetnsUpstream.StartAsync(topology, httpsPorts: upstreamHttpsPorts, expiredCertificate: expiredUpstream);
            if (untrustedUpstream) trusted = TestPki.Create("Pipelock E2E Other Root");
            var dir = Path.Combine(Path.GetTempPath(), "pipelock-e2e-transparent-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            var rig = new TransparentRig(topology, upstream, dir, trusted);
            await rig.StartAgentAsync(mode, extraYaml, v6Hosts, passthrough ?? [], scopeYaml, extraHostNames ?? [], bodyOversize, withoutNft, responseAction);
            return rig;
        }
        catch
        {
            trusted?.Dispose();
            if (upstream is not null) await upstream.DisposeAsync();
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task StartAgentAsync(string mode, string extraYaml, bool v6Hosts, IReadOnlyList<string> passthrough, string? scopeYaml, IReadOnlyList<string> extraHostNames,
        string? bodyOversize, bool withoutNft, string responseAction)
    {
        var server = (v6Hosts ? Topology.ServerV6 : Topology.ServerV4).ToString();
        var hosts = Upstream.HostEntries(v4: !v6Hosts, v6: v6Hosts).Concat(extraHostNames.Select(n => (n, server))).ToArray();
        Topology.SetHosts(Topology.ProxyNs, hosts);
        Topology.SetHosts(Topology.ClientNs, hosts);
        bool local = mode == "local";
        ClientNs = local ? Topology.ProxyNs : Topology.ClientNs;
        ClientUidOrNull = local ? ClientUid : null;
        var scope = scopeYaml ?? (local
            ? $"  uids: [{ClientUid}]\n"
            : $"  interfaces: [\"{NetnsTopology.ProxyClientSideInterface}\"]\n");
        // Only when asked for, so every other test runs on the keys' defaults.
        var oversize = bodyOversize is null ? "" : $"\n  oversize: {bodyOversize}";
        var yaml = $"""
            version: 1
            mode: balanced
            ssrf:
              ip_allowlist: ["10.0.0.0/8", "fd00::/8"]
            response_scanning:
              enabled: true
              action: {responseAction}{oversize}
            request_body_scanning:
              enabled: true
              action: block{oversize}
            tls_interception:
              enabled: true
              ca_cert: {Dir}/ca/ca.pem
              ca_key: {Dir}/ca/ca-key.pem
              upstream_ca_file: {(_agentTrustedPki ?? Upstream.Pki).CaPemPath}
              passthrough_domains: [{string.Join(", ", passthrough.Select(p => "\"" + p + "\""))}]
            transparent:
              enabled: true
              mode: {mode}
              listen_port: 15001
            {scope}{extraYaml}
            """;
        await File.WriteAllTextAsync(ConfigPath, yaml);
        Agent = await Topology.StartInAsync(Topology.ProxyNs, RepoPaths.AgentBinary, ["run", "--config", ConfigPath, "--listen", ControlListen],
            withoutNft ? new Dictionary<string, string> { ["PATH"] = PathWithoutNft() } : null);
        await Topology.WaitForHttpAsync(Topology.ProxyNs, $"http://{ControlListen}/health", TimeSpan.FromSeconds(45));
        await Agent.WaitForLineAsync(l => l.Contains("\"event\":\"startup\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        File.Copy(Path.Combine(Dir, "ca", "ca.pem"), AgentCaPath, overwrite: true);
        File.SetUnixFileMode(AgentCaPath, (UnixFileMode)0b110_100_100);
        TestPki.WriteBundle(ClientBundlePath, [AgentCaPath], includeSystem: true);
        File.SetUnixFileMode(ClientBundlePath, (UnixFileMode)0b110_100_100);
    }

    /// <summary>
    /// A PATH on which the agent finds iptables, ip6tables and ip but no nft, as on a host without nftables: the
    /// agent then falls back to its iptables backend (the same kernel either way; only the tool differs).
    /// </summary>
    public string PathWithoutNft()
    {
        var bin = Path.Combine(Dir, "bin-without-nft");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save", "ip" })
        {
            var link = Path.Combine(bin, tool);
            // Symlinks keep argv[0], which the xtables multi-call binary dispatches on.
            if (!File.Exists(link)) File.CreateSymbolicLink(link, Path.Combine("/usr/sbin", tool));
        }
        return bin + ":/usr/bin:/bin";
    }

    /// <summary>curl --no-buffer from the client side (each body line timestamped when read); trusts the agent's CA.</summary>
    public Task<CurlStreamResult> CurlStreamAsync(string url) =>
        Topology.CurlStreamAsync(ClientNs, url, new CurlRequest { CaFile = AgentCaPath, Timeout = TimeSpan.FromSeconds(30) }, ClientUidOrNull);

    /// <summary>curl from the client side with no proxy; trusts the agent's CA unless <paramref name="caFile"/> says otherwise.</summary>
    public Task<CurlResult> CurlAsync(string url, string? body = null, string? caFile = null, IDictionary<string, string>? headers = null, IReadOnlyList<string>? extra = null,
        string? method = null, TimeSpan? timeout = null) =>
        Topology.CurlAsync(ClientNs, url, new CurlRequest
        {
            Method = method ?? (body is null ? "GET" : "POST"),
            Body = body,
            CaFile = caFile ?? AgentCaPath,
            Headers = headers ?? new Dictionary<string, string>(),
            ExtraArgs = extra ?? [],
            Timeout = timeout ?? TimeSpan.FromSeconds(20),
        }, ClientUidOrNull);

    /// <summary>Ruby Net::HTTP (no proxy variables) from the client side, trusting the bundle via SSL_CERT_FILE.</summary>
    public Task<ProcessResult> RubyGetAsync(string url)
    {
        const string script = "require 'net/http'; u = URI(ARGV[0]); r = Net::HTTP.get_response(u); print r.code, ' ', r.body";
        var env = new Dictionary<string, string> { ["SSL_CERT_FILE"] = ClientBundlePath };
        return ClientUidOrNull is { } uid
            ? Topology.RunAsUidAsync(ClientNs, uid, "ruby", ["-W0", "-e", script, url], env, timeout: TimeSpan.FromSeconds(30))
            : Topology.ExecAsync(ClientNs, "ruby", ["-W0", "-e", script, url], env, timeout: TimeSpan.FromSeconds(30));
    }

    public Task<string> LogLineAsync(params string[] needles) =>
        Agent.WaitForLineAsync(l => needles.All(n => l.Contains(n, StringComparison.Ordinal)), TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null) await Agent.DisposeAsync();
        await Upstream.DisposeAsync();
        _agentTrustedPki?.Dispose();
        await Topology.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    public static string RandomGithubToken()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return "ghp_" + string.Create(36, 0, (s, _) => { for (int i = 0; i < s.Length; i++) s[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)]; });
    }

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
