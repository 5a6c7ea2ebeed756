using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Systemd;

/// <summary>
/// One booted container per test: the test's namespaces (the container lives in the client namespace, which routes
/// through the proxy namespace to the upstream in the server namespace), the upstream, and a Debian root under a real
/// systemd with the source tree at /src and the staged build at /stage (read-only). Nothing is installed yet.
/// </summary>
public sealed class ServiceFixture : IAsyncDisposable
{
    public const string Config = "/etc/pipelock/pipelock.yaml";
    public const string UpstreamCa = "/pipelock-test/upstream-ca.pem";
    public const string PublicCa = "/usr/local/share/pipelock/ca.pem";
    public const string ScriptDir = "/usr/local/lib/pipelock-test";

    private ServiceFixture(NetnsTopology topology, NetnsUpstream upstream, SystemdContainer container)
    {
        Topology = topology;
        Upstream = upstream;
        Container = container;
    }

    public NetnsTopology Topology { get; }
    public NetnsUpstream Upstream { get; }
    public SystemdContainer Container { get; }

    /// <param name="inProxyNamespace">Boot the container in the middle (proxy) namespace, which forwards between
    /// client and server: the place of a gateway. Default: the client namespace (local mode).</param>
    public static async Task<ServiceFixture> StartAsync(bool inProxyNamespace = false)
    {
        // Both are made once per run: debootstrap mostly waits on the mirror while the publish compiles.
        var rootTask = SystemdContainer.EnsureRootAsync();
        var stageTask = PublishedBuild.DirectoryAsync();
        await Task.WhenAll(rootTask, stageTask);
        var (root, stage) = (rootTask.Result, stageTask.Result);
        var topology = await NetnsTopology.CreateAsync("plsd");
        NetnsUpstream? upstream = null;
        try
        {
            upstream = await NetnsUpstream.StartAsync(topology);
            topology.SetHosts(topology.ClientNs, upstream.HostEntries());
            var container = await SystemdContainer.BootAsync(root, inProxyNamespace ? topology.ProxyNs : topology.ClientNs,
            [
                (RepoPaths.Root, "/src"),
                (stage, "/stage"),
                (upstream.Pki.CaPemPath, UpstreamCa),
            ]);
            var f = new ServiceFixture(topology, upstream, container);
            try
            {
                var hosts = string.Concat(upstream.HostEntries().Select(e => $"{e.Ip} {e.Name}\n"));
                await container.MustAsync(["sh", "-c", $"printf '%s' '{hosts}' >> /etc/hosts"]);
                return f;
            }
            catch
            {
                await container.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (upstream is not null) await upstream.DisposeAsync();
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>A config for these tests: transparent local mode over everything but the service's own uid, TLS
    /// interception trusting the test's upstream CA, 10/8 allowed past the SSRF check, and <paramref name="extra"/>.</summary>
    public static string TestConfig(string failMode, string extra = "", string mode = "local") => $"""
        version: 1
        mode: balanced
        ssrf:
          ip_allowlist: ["10.0.0.0/8"]
        forward_proxy:
          enabled: true
        response_scanning:
          enabled: true
          action: block
        request_body_scanning:
          enabled: true
          action: block
        tls_interception:
          enabled: true
          ca_cert: /var/lib/pipelock/ca/ca.pem
          ca_key: /var/lib/pipelock/ca/ca-key.pem
          upstream_ca_file: {UpstreamCa}
        transparent:
          enabled: true
          mode: {mode}
          listen_port: 15001
          fail_mode: {failMode}
        {extra}
        """;

    /// <summary>Replaces the config the way an administrator's editor leaves it: root:pipelock 0640, what the installer made.</summary>
    public async Task WriteConfigAsync(string yaml)
    {
        await Container.WriteFileAsync(Config + ".new", yaml + "\n", "0640");
        await Container.MustAsync(["sh", "-c", $"chown root:pipelock {Config}.new && mv {Config}.new {Config}"]);
    }

    /// <summary>journalctl -u pipelock -o json, one dictionary per entry (string-valued fields only).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> JournalAsync()
    {
        var r = await Container.ExecAsync(["journalctl", "-u", "pipelock", "-o", "json", "--no-pager"]);
        var entries = new List<IReadOnlyDictionary<string, string>>();
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            entries.Add(doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!));
        }
        return entries;
    }

    /// <summary>The first journal entry matching, waiting for it (bounded): journald takes entries asynchronously.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitForJournalAsync(Func<IReadOnlyDictionary<string, string>, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var entries = await JournalAsync();
            if (entries.FirstOrDefault(match) is { } hit) return hit;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("no matching journal entry; the unit's journal:\n" +
                    string.Join('\n', entries.Select(e => e.GetValueOrDefault("MESSAGE", ""))));
            await Task.Delay(250);
        }
    }

    /// <summary>The nft tables in the container's (the client namespace's) netfilter.</summary>
    public async Task<string> NftTablesAsync() => (await Container.MustAsync(["nft", "list", "tables"])).Trim();

    /// <summary>/proc/PID/status of the service's main process, as key -> value.</summary>
    public async Task<IReadOnlyDictionary<string, string>> MainProcessStatusAsync()
    {
        var pid = (await Container.MustAsync(["systemctl", "show", "-P", "MainPID", "pipelock"])).Trim();
        Assert.NotEqual("0", pid);
        var status = await Container.MustAsync(["cat", $"/proc/{pid}/status"]);
        return status.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
    }

    public async ValueTask DisposeAsync()
    {
        await Container.DisposeAsync();
        await Upstream.DisposeAsync();
        await Topology.DisposeAsync();
    }
}
