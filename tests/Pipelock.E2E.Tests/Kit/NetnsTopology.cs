using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>A command of the rig (ip, sysctl, …) failed; the message carries the command line and its stderr.</summary>
public sealed class NetnsException(string message) : InvalidOperationException(message);

/// <summary>
/// Three network namespaces a test owns: client (<see cref="ClientNs"/>) ↔ proxy (<see cref="ProxyNs"/>, where the agent
/// runs) ↔ server (<see cref="ServerNs"/>, the upstreams). veth pairs are created inside the proxy namespace with their
/// peer placed straight into the client or server namespace, so nothing (no link, address or route) ever appears in the
/// host's namespace. Client and server route everything through the proxy namespace, which forwards (v4 and v6) and
/// sends no ICMP redirects, so without interception rules traffic is plainly routed and the server sees the client's
/// own address; with the agent's rules it sees the proxy's.
/// <para>
/// Addresses: 10.R.1.0/24 + fdRR:1::/64 between client (.2 / ::2) and proxy (.1 / ::1), 10.R.2.0/24 + fdRR:2::/64
/// between proxy (.1 / ::1) and server (.2 / ::2), with R random per topology (RR its hex) so parallel rigs look
/// different in logs. Dispose kills every process left in the namespaces, deletes them and their /etc/netns
/// directories, also after a failure part-way through <see cref="CreateAsync"/>; a test process that died without
/// disposing is cleaned up by the next <see cref="CreateAsync"/> (owner markers under <see cref="MarkerDirectory"/>).
/// </para>
/// </summary>
public sealed partial class NetnsTopology : IAsyncDisposable
{
    public const string ClientInterface = "veth-cl";
    public const string ProxyClientSideInterface = "veth-px-cl";
    public const string ProxyServerSideInterface = "veth-px-sv";
    public const string ServerInterface = "veth-sv";

    /// <summary>"nobody": a uid other than the agent's for local-mode clients (<see cref="RunAsUidAsync"/>).</summary>
    public const int NobodyUid = 65534;

    public const string EtcNetns = "/etc/netns";

    /// <summary>One file per namespace a test process made, holding its pid and start time (see <see cref="SweepStale"/>).</summary>
    public const string MarkerDirectory = "/run/pipelock-e2e-netns";

    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>iproute2's <c>ip</c> by absolute path (sbin is not on every PATH).</summary>
    public static readonly string IpPath =
        HostSystem.FindTool("ip") ?? "ip";

    private static readonly object Gate = new();
    private static readonly HashSet<int> SubnetsInUse = [];
    private static bool _swept;
    private static bool _madeEtcNetns;

    private readonly List<string> _created = [];
    private readonly List<AgentProcess> _processes = [];
    private readonly List<string> _cleanupErrors = [];
    private bool _disposed;

    private NetnsTopology(string prefix, string id, int subnet)
    {
        Id = id;
        Subnet = subnet;
        ClientNs = $"{prefix}-cl-{id}";
        ProxyNs = $"{prefix}-px-{id}";
        ServerNs = $"{prefix}-sv-{id}";
        var v4 = $"10.{subnet}";
        var v6 = $"fd{subnet:x2}";
        ClientV4 = IPAddress.Parse($"{v4}.1.2");
        ProxyClientSideV4 = IPAddress.Parse($"{v4}.1.1");
        ProxyServerSideV4 = IPAddress.Parse($"{v4}.2.1");
        ServerV4 = IPAddress.Parse($"{v4}.2.2");
        ClientV6 = IPAddress.Parse($"{v6}:1::2");
        ProxyClientSideV6 = IPAddress.Parse($"{v6}:1::1");
        ProxyServerSideV6 = IPAddress.Parse($"{v6}:2::1");
        ServerV6 = IPAddress.Parse($"{v6}:2::2");
    }

    /// <summary>The random part of the namespace names.</summary>
    public string Id { get; }

    /// <summary>R in 10.R.x.0/24.</summary>
    public int Subnet { get; }

    public string ClientNs { get; }
    public string ProxyNs { get; }
    public string ServerNs { get; }
    public IReadOnlyList<string> Namespaces => [ClientNs, ProxyNs, ServerNs];

    public IPAddress ClientV4 { get; }
    public IPAddress ClientV6 { get; }
    public IPAddress ProxyClientSideV4 { get; }
    public IPAddress ProxyClientSideV6 { get; }
    public IPAddress ProxyServerSideV4 { get; }
    public IPAddress ProxyServerSideV6 { get; }
    public IPAddress ServerV4 { get; }
    public IPAddress ServerV6 { get; }

    /// <summary>Problems met while disposing (a namespace that would not go, a process that would not die); empty when clean.</summary>
    public IReadOnlyList<string> CleanupErrors { get { lock (_cleanupErrors) return _cleanupErrors.ToArray(); } }

    /// <summary>
    /// Builds the topology (about a second). <paramref name="prefix"/> (default "pl", lower-case letters, digits and '-')
    /// starts each namespace name, e.g. pl-cl-3f9a. Throws <see cref="NetnsException"/> with the failing command's stderr,
    /// after tearing down whatever was already made.
    /// </summary>
    public static Task<NetnsTopology> CreateAsync(string? prefix = null) => CreateAsync(prefix, failAfterStep: null);

    /// <param name="failAfterStep">Test hook: after the named step, run a command that really fails (see the kit tests).</param>
    internal static async Task<NetnsTopology> CreateAsync(string? prefix, string? failAfterStep)
    {
        if (NamespaceSupport.WhyNot is { } why) throw new InvalidOperationException(why);
        prefix ??= "pl";
        if (prefix.Length is 0 or > 16 || !prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            throw new ArgumentException("prefix: 1-16 of [a-z0-9-]", nameof(prefix));

        await SweepStaleOnceAsync().ConfigureAwait(false);
        var existing = await ListNamespacesAsync().ConfigureAwait(false);
        string id;
        int subnet;
        lock (Gate)
        {
            do id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
            while (existing.Any(n => n.EndsWith("-" + id, StringComparison.Ordinal)));
            do subnet = RandomNumberGenerator.GetInt32(16, 250);
            while (!SubnetsInUse.Add(subnet));
        }

        var t = new NetnsTopology(prefix, id, subnet);
        try
        {
            await t.BuildAsync(failAfterStep).ConfigureAwait(false);
            return t;
        }
        catch
        {
            await t.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task BuildAsync(string? failAfterStep)
    {
        async Task Step(string name, Func<Task> run)
        {
            await run().ConfigureAwait(false);
            if (name == failAfterStep) await IpAsync(ProxyNs, "link", "set", "pl-no-such-dev", "up").ConfigureAwait(false);
        }

        await Step("namespaces", async () =>
        {
            foreach (var ns in Namespaces)
            {
                // Marker first: if this process dies from here on, the next CreateAsync can still clean up.
                WriteMarker(ns);
                lock (_created) _created.Add(ns);
                await RunAsync(IpPath, ["netns", "add", ns]).ConfigureAwait(false);
                await IpAsync(ns, "link", "set", "lo", "up").ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        await Step("links", async () =>
        {
            // Created inside the proxy namespace, the peer straight into its own: never a link in the host's namespace.
            await IpAsync(ProxyNs, "link", "add", ProxyClientSideInterface, "type", "veth", "peer", "name", ClientInterface, "netns", ClientNs).ConfigureAwait(false);
            await IpAsync(ProxyNs, "link", "add", ProxyServerSideInterface, "type", "veth", "peer", "name", ServerInterface, "netns", ServerNs).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step("addresses", async () =>
        {
            (string Ns, string Dev, IPAddress V4, IPAddress V6)[] ends =
            [
                (ClientNs, ClientInterface, ClientV4, ClientV6),
                (ProxyNs, ProxyClientSideInterface, ProxyClientSideV4, ProxyClientSideV6),
                (ProxyNs, ProxyServerSideInterface, ProxyServerSideV4, ProxyServerSideV6),
                (ServerNs, ServerInterface, ServerV4, ServerV6),
            ];
            foreach (var (ns, dev, v4, v6) in ends)
            {
                await IpAsync(ns, "addr", "add", v4 + "/24", "dev", dev).ConfigureAwait(false);
                // nodad: usable at once instead of "tentative" for a second or two.
                await IpAsync(ns, "addr", "add", v6 + "/64", "dev", dev, "nodad").ConfigureAwait(false);
            }
            foreach (var (ns, dev, _, _) in ends) await IpAsync(ns, "link", "set", dev, "up").ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step("routes", async () =>
        {
            await IpAsync(ClientNs, "route", "add", "default", "via", ProxyClientSideV4.ToString()).ConfigureAwait(false);
            await IpAsync(ClientNs, "-6", "route", "add", "default", "via", ProxyClientSideV6.ToString()).ConfigureAwait(false);
            await IpAsync(ServerNs, "route", "add", "default", "via", ProxyServerSideV4.ToString()).ConfigureAwait(false);
            await IpAsync(ServerNs, "-6", "route", "add", "default", "via", ProxyServerSideV6.ToString()).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step("sysctl", async () =>
        {
            // send_redirects is OR-ed between "all" and the interface, so "all=0" alone leaves the veths (created
            // with the default, 1) telling clients to bypass the gateway: all three are set.
            await RunAsync(IpPath,
            [
                "netns", "exec", ProxyNs, "sysctl", "-q", "-w",
                "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0",
                $"net.ipv4.conf.{ProxyClientSideInterface}.send_redirects=0", $"net.ipv4.conf.{ProxyServerSideInterface}.send_redirects=0",
            ]).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="file"/> in namespace <paramref name="ns"/> (one of this topology's) to completion, bounded.</summary>
    public Task<ProcessResult> ExecAsync(
        string ns, string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null,
        TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(IpPath, NetnsExecArgs(ns, null, file, args), env, stdin, timeout);

    /// <summary>
    /// <see cref="ExecAsync"/> as <paramref name="uid"/> (gid the same, no supplementary groups), through setpriv: a
    /// local-mode client in the agent's namespace that the interception rules must not exempt.
    /// </summary>
    public Task<ProcessResult> RunAsUidAsync(
        string ns, int uid, string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null,
        TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(IpPath, NetnsExecArgs(ns, uid, file, args), env, stdin, timeout);

    /// <summary>
    /// Starts a long-running process in <paramref name="ns"/> (as <paramref name="uid"/> when given) with its output
    /// captured line by line. <c>ip netns exec</c> and setpriv exec into it, so the pid is the program's own (signals
    /// reach it). Disposing the result kills it; so does disposing the topology.
    /// </summary>
    public async Task<AgentProcess> StartInAsync(
        string ns, string file, IEnumerable<string> args, IDictionary<string, string>? env = null, int? uid = null,
        string? workingDirectory = null)
    {
        var argv = NetnsExecArgs(ns, uid, file, args);
        var p = await AgentProcess.StartAsync([.. argv], env, binary: IpPath, workingDirectory: workingDirectory).ConfigureAwait(false);
        lock (_processes) _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Writes /etc/netns/<paramref name="ns"/>/hosts (localhost lines plus <paramref name="entries"/>), which
    /// <c>ip netns exec</c> bind-mounts over /etc/hosts for processes started after this call. Replaces earlier entries.
    /// </summary>
    public void SetHosts(string ns, params (string Name, string Ip)[] entries)
    {
        CheckOwn(ns);
        var sb = new StringBuilder("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
        foreach (var (name, ip) in entries)
        {
            if (name.Length == 0 || name.Any(char.IsWhiteSpace) || name.Contains('#')) throw new ArgumentException("bad host name: " + name);
            if (!IPAddress.TryParse(ip, out var addr)) throw new ArgumentException("bad address: " + ip);
            sb.Append(addr).Append(' ').Append(name).Append('\n');
        }
        lock (Gate)
        {
            if (!Directory.Exists(EtcNetns)) _madeEtcNetns = true;
            Directory.CreateDirectory(Path.Combine(EtcNetns, ns));
            File.WriteAllText(HostsPath(ns), sb.ToString());
        }
    }

    public static string HostsPath(string ns) => Path.Combine(EtcNetns, ns, "hosts");

    /// <summary>curl in <paramref name="ns"/> (as <paramref name="uid"/> when given); same options and result as <see cref="Curl.RequestAsync(string, CurlRequest?)"/>.</summary>
    public Task<CurlResult> CurlAsync(string ns, string url, CurlRequest? request = null, int? uid = null) =>
        Curl.RequestAsync(url, request, args => (IpPath, NetnsExecArgs(ns, uid, "curl", args)), () => WritableTempDirectory("curl"));

    /// <summary>curl --no-buffer in <paramref name="ns"/>, each body line timestamped when read (as <see cref="Curl.StreamAsync(string, CurlRequest?)"/>).</summary>
    public Task<CurlStreamResult> CurlStreamAsync(string ns, string url, CurlRequest? request = null, int? uid = null) =>
        Curl.StreamAsync(url, request, args => (IpPath, NetnsExecArgs(ns, uid, "curl", args)));

    /// <summary>Polls (bounded) with curl from <paramref name="ns"/> until <paramref name="url"/> answers any HTTP status, e.g. an agent's listener.</summary>
    public async Task WaitForHttpAsync(string ns, string url, TimeSpan timeout, string? caFile = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var r = await CurlAsync(ns, url, new CurlRequest { CaFile = caFile, Timeout = TimeSpan.FromSeconds(2) }).ConfigureAwait(false);
            if (r.HttpStatus != 0) return;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{url} did not answer from {ns} within {timeout.TotalSeconds:0.#} s\n{r}");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>http(s)://address[:port]/path with IPv6 literals bracketed.</summary>
    public static string UrlFor(string scheme, string hostOrAddress, string pathAndQuery = "/", int? port = null)
    {
        var host = IPAddress.TryParse(hostOrAddress, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "[" + a + "]" : hostOrAddress;
        var p = port is { } n ? ":" + n.ToString(CultureInfo.InvariantCulture) : "";
        return $"{scheme}://{host}{p}{(pathAndQuery.StartsWith('/') ? "" : "/")}{pathAndQuery}";
    }

    /// <summary>The names <c>ip netns list</c> shows (any owner).</summary>
    public static async Task<IReadOnlyList<string>> ListNamespacesAsync()
    {
        var r = await ProcessRunner.RunAsync(IpPath, ["netns", "list"], timeout: CommandTimeout).ConfigureAwait(false);
        if (r.ExitCode != 0) throw new NetnsException("ip netns list: " + r.Stderr);
        // Lines look like "pl-cl-3f9a (id: 4)" or just "pl-cl-3f9a".
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2)[0]).ToArray();
    }

    /// <summary>Pids of the processes in namespace <paramref name="ns"/> (<c>ip netns pids</c>); empty when it is gone.</summary>
    public static async Task<IReadOnlyList<int>> PidsInAsync(string ns)
    {
        var r = await ProcessRunner.RunAsync(IpPath, ["netns", "pids", ns], timeout: CommandTimeout).ConfigureAwait(false);
        if (r.ExitCode != 0) return [];
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_created)
        {
            if (_disposed) return;
            _disposed = true;
        }
        AgentProcess[] started;
        lock (_processes) started = [.. _processes];
        foreach (var p in started)
        {
            try { await p.DisposeAsync().ConfigureAwait(false); }
            catch (InvalidOperationException) { } // the test disposed it already
        }
        string[] made;
        lock (_created) made = [.. _created];
        foreach (var ns in made) await DeleteNamespaceAsync(ns, _cleanupErrors).ConfigureAwait(false);
        lock (Gate) SubnetsInUse.Remove(Subnet);
        foreach (var e in CleanupErrors) Console.Error.WriteLine("NetnsTopology cleanup: " + e);
    }

    /// <summary>
    /// Deletes the namespaces whose marker names a process that no longer exists (a test run killed before its
    /// dispose). Namespaces of live processes, and any without a marker of ours, are never touched.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> SweepStaleAsync()
    {
        if (!Directory.Exists(MarkerDirectory)) return [];
        var swept = new List<string>();
        var errors = new List<string>();
        foreach (var file in Directory.GetFiles(MarkerDirectory))
        {
            string owner;
            try { owner = File.ReadAllText(file).Trim(); }
            catch (IOException) { continue; }
            var parts = owner.Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[0], out var pid) && StartTime(pid) == parts[1]) continue; // owner alive
            var ns = Path.GetFileName(file);
            await DeleteNamespaceAsync(ns, errors).ConfigureAwait(false);
            swept.Add(ns);
        }
        foreach (var e in errors) Console.Error.WriteLine("NetnsTopology sweep: " + e);
        return swept;
    }

    internal static string MarkerPath(string ns) => Path.Combine(MarkerDirectory, ns);

    private static async Task SweepStaleOnceAsync()
    {
        lock (Gate)
        {
            if (_swept) return;
            _swept = true;
        }
        await SweepStaleAsync().ConfigureAwait(false);
    }

    /// <summary>Kills what runs in <paramref name="ns"/>, deletes it, its /etc/netns directory and its marker.</summary>
    private static async Task DeleteNamespaceAsync(string ns, List<string> errors)
    {
        // A process still inside keeps the namespace (and its veths) alive after "ip netns del", so kill first.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pids = await PidsInAsync(ns).ConfigureAwait(false);
            if (pids.Count == 0) break;
            if (DateTime.UtcNow >= deadline)
            {
                lock (errors) errors.Add($"{ns}: processes still running: {string.Join(' ', pids)}");
                break;
            }
            foreach (var pid in pids) HostSystem.Kill(pid, AgentProcess.SIGKILL);
            await Task.Delay(50).ConfigureAwait(false);
        }
        var del = await ProcessRunner.RunAsync(IpPath, ["netns", "del", ns], timeout: CommandTimeout).ConfigureAwait(false);
        if (del.ExitCode != 0 && !del.Stderr.Contains("No such file", StringComparison.Ordinal))
            lock (errors) errors.Add($"ip netns del {ns}: {del.Stderr.Trim()}");
        lock (Gate)
        {
            try
            {
                var dir = Path.Combine(EtcNetns, ns);
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                // /etc/netns itself only if this process made it and no rig uses it any more (under Gate, so no
                // SetHosts of ours races this).
                if (_madeEtcNetns && Directory.Exists(EtcNetns) && !Directory.EnumerateFileSystemEntries(EtcNetns).Any())
                {
                    Directory.Delete(EtcNetns);
                    _madeEtcNetns = false;
                }
            }
            catch (IOException e) { lock (errors) errors.Add($"{EtcNetns}/{ns}: {e.Message}"); }
        }
        try { File.Delete(MarkerPath(ns)); } catch (IOException) { }
    }

    private static void WriteMarker(string ns)
    {
        Directory.CreateDirectory(MarkerDirectory);
        var self = Environment.ProcessId;
        File.WriteAllText(MarkerPath(ns), $"{self} {StartTime(self)}\n");
    }

    /// <summary>Field 22 of /proc/pid/stat (start time in clock ticks): with the pid, names a process even across pid reuse.</summary>
    private static string? StartTime(int pid) => HostSystem.Stat(pid)?.StartTime;

    private List<string> NetnsExecArgs(string ns, int? uid, string file, IEnumerable<string> args)
    {
        CheckOwn(ns);
        var argv = new List<string> { "netns", "exec", ns };
        if (uid is { } u)
        {
            var id = u.ToString(CultureInfo.InvariantCulture);
            argv.AddRange(["setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"]);
        }
        argv.Add(file);
        argv.AddRange(args);
        return argv;
    }

    /// <summary>The guard: commands only ever run in this topology's namespaces, never in the host's.</summary>
    private void CheckOwn(string ns)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ns != ClientNs && ns != ProxyNs && ns != ServerNs)
            throw new ArgumentException($"'{ns}' is not one of this topology's namespaces ({string.Join(", ", Namespaces)})", nameof(ns));
    }

    private Task IpAsync(string ns, params string[] args) => RunAsync(IpPath, ["-n", ns, .. args]);

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var r = await ProcessRunner.RunAsync(file, args, timeout: CommandTimeout).ConfigureAwait(false);
        if (r.ExitCode != 0)
            throw new NetnsException($"{file} {string.Join(' ', args)} failed (exit {r.ExitCode}): {r.Stderr.Trim()}");
    }

    /// <summary>A temp directory any uid can write into (curl run as another uid writes its output there).</summary>
    internal static string WritableTempDirectory(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"pipelock-e2e-netns-{what}-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(dir, (UnixFileMode)0x1FF); // 0777; mkdir's mode is cut by the umask
        return dir;
    }
}
