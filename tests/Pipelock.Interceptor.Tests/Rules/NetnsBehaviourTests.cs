using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>
/// What the installed rules do to real packets, in namespaces built per test: local REDIRECT scoped to a uid (and a
/// cgroup), gateway TPROXY from an interface wildcard, UDP/443 rejected, both families, fail closed, and no loop:
/// a socket carrying the agent's SO_MARK is never recaptured. Clients and servers are small python3 scripts (a
/// listener's banner says who answered and on which local address, so a TPROXY'd flow shows the original destination).
/// </summary>
public class NetnsBehaviourTests
{
    private const string Server = """
        import socket, sys, threading
        tag = sys.argv[1]; port = int(sys.argv[2]); opts = sys.argv[3:]
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        if "transparent" in opts:
            s.setsockopt(socket.SOL_IP, 19, 1)            # IP_TRANSPARENT, before bind
            s.setsockopt(socket.IPPROTO_IPV6, 75, 1)      # IPV6_TRANSPARENT
        s.bind(("::", port)); s.listen(64)
        def udp_echo(u):
            while True:
                d, a = u.recvfrom(2048); u.sendto((tag + "\n").encode(), a)
        if "udp" in opts:
            u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); u.bind(("::", 443))
            threading.Thread(target=udp_echo, args=(u,), daemon=True).start()
        print("ready", flush=True)
        while True:
            c, a = s.accept()
            try:
                l = c.getsockname()
                c.sendall(("%s %s %d\n" % (tag, l[0].replace("::ffff:", ""), l[1])).encode())
            finally:
                c.close()
        """;

    private const string Probe = """
        import socket, sys
        mark = sys.argv[1] == "mark"
        for a in sys.argv[2:]:
            f = socket.AF_INET6 if ":" in a else socket.AF_INET
            for kind in ("tcp", "udp"):
                s = socket.socket(f, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
                s.settimeout(3)
                if mark: s.setsockopt(socket.SOL_SOCKET, 36, 0x5049)   # SO_MARK = TransparentMarks.Upstream
                try:
                    if kind == "tcp": s.connect((a, 80))
                    else: s.connect((a, 443)); s.send(b"ping")
                    out = s.recv(200).decode().strip()
                except OSError as e:
                    out = "error " + type(e).__name__
                finally:
                    s.close()
                print(kind, a, out, flush=True)
        """;

    private static readonly Lazy<string> Scripts = new(() =>
    {
        // One fixed directory reused by every run (same content each time), readable by uid 65534, which runs the probe.
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pl-rules-py")).FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(Path.Combine(dir, "server.py"), Server);
        File.WriteAllText(Path.Combine(dir, "probe.py"), Probe);
        return dir;
    });

    private static string ServerPy => Path.Combine(Scripts.Value, "server.py");
    private static string ProbePy => Path.Combine(Scripts.Value, "probe.py");

    private static readonly string[] Nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    private static readonly string[] NobodyWithNetAdmin = [.. Nobody, "--inh-caps=+net_admin", "--ambient-caps=+net_admin"];

    /// <summary>Runs the probe and returns "tcp 10.x.y.z" / "udp fd..::2" → answer ("origin ...", "agent ...", "error X").</summary>
    private static async Task<Dictionary<string, string>> ProbeAsync(Func<string[], Task<CommandResult>> run, string[] user, bool mark, params string[] targets)
    {
        var r = await run([.. user, NetnsSupport.Python, ProbePy, mark ? "mark" : "plain", .. targets]);
        Assert.True(r.Ok, r.Stderr);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 3))
            .ToDictionary(p => p[0] + " " + p[1], p => p[2]);
    }

    private static void AssertAll(Dictionary<string, string> results, string kind, Func<string, bool> ok, string what)
    {
        var relevant = results.Where(kv => kv.Key.StartsWith(kind + " ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(relevant);
        foreach (var (k, v) in relevant) Assert.True(ok(v), $"{what}: {k} -> {v}");
    }

    private static bool Origin(string v) => v.StartsWith("origin ", StringComparison.Ordinal);

    [NetnsTheory]
    [InlineData(RulesBackendKind.Nftables)]
    [InlineData(RulesBackendKind.Iptables)]
    public async Task Local_RedirectsTheScopedUid_NeverTheMarkedSocket_RejectsUdp443_FailsClosed(RulesBackendKind backend)
    {
        if (backend == RulesBackendKind.Iptables && NetnsSupport.Which("iptables") is null) return;
        await using var host = await TestNetns.CreateAsync("h");
        await using var origin = await TestNetns.CreateAsync("o");
        await host.Must("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", origin.Name);
        foreach (var (ns, last) in new[] { (host, "1"), (origin, "2") })
        {
            await ns.Must("ip", "addr", "add", $"10.77.0.{last}/24", "dev", "eth0");
            await ns.Must("ip", "addr", "add", $"fd77::{last}/64", "dev", "eth0", "nodad");
            await ns.Must("ip", "link", "set", "eth0", "up");
        }
        string[] targets = ["10.77.0.2", "fd77::2"];
        await origin.StartAsync(NetnsSupport.Python, ServerPy, "origin", "80", "udp");
        var agent = await host.StartAsync(NetnsSupport.Python, ServerPy, "agent", "15001");
        var rules = new TransparentRules(host.Runner, backend, ipv6: true);

        var baseline = await ProbeAsync(host.Run, [], false, targets);
        AssertAll(baseline, "tcp", Origin, "before install");
        AssertAll(baseline, "udp", v => v == "origin", "before install");

        // Scoped to uid 65534 (and, where cgroup v2 is mounted, one cgroup).
        string? cgroup = CgroupV2.NftPrefix() is { } prefix ? $"pl-rules-{Guid.NewGuid():N}"[..24] : null;
        string? cgroupDir = cgroup is null ? null : Path.Combine("/sys/fs/cgroup", CgroupV2.NftPrefix()!, cgroup);
        if (cgroupDir is not null) Directory.CreateDirectory(cgroupDir);
        try
        {
            await rules.InstallAsync(new TransparentRuleOptions { Uids = [65534], Cgroups = cgroup is null ? [] : [cgroup] });

            var nobody = await ProbeAsync(host.Run, Nobody, false, targets);
            AssertAll(nobody, "tcp", v => v.StartsWith("agent ", StringComparison.Ordinal) && v.EndsWith(" 15001", StringComparison.Ordinal), "uid 65534 is redirected");
            // Rejected in OUTPUT, a local sender's send() fails at once with EPERM (an ICMP error would come from the
            // peer); either way no datagram leaves and QUIC gives up immediately instead of timing out.
            AssertAll(nobody, "udp", v => v is "error PermissionError" or "error ConnectionRefusedError", "uid 65534 gets UDP/443 rejected");

            var root = await ProbeAsync(host.Run, [], false, targets);
            AssertAll(root, "tcp", Origin, "root is outside the scope");
            AssertAll(root, "udp", v => v == "origin", "root's UDP is outside the scope");

            // The agent's own upstream socket: same uid as a captured client, but SO_MARK 0x5049 -> never recaptured.
            var marked = await ProbeAsync(host.Run, NobodyWithNetAdmin, true, targets);
            AssertAll(marked, "tcp", Origin, "a socket with the agent's mark goes direct");
            AssertAll(marked, "udp", v => v == "origin", "a socket with the agent's mark goes direct");

            if (cgroupDir is not null)
            {
                var inCgroup = await ProbeAsync(argv => new ProcessCommandRunner().RunAsync(
                    ["sh", "-c", $"echo $$ > {cgroupDir}/cgroup.procs && exec \"$@\"", "sh", .. host.Prefix, .. argv]), [], false, targets);
                AssertAll(inCgroup, "tcp", v => v.StartsWith("agent ", StringComparison.Ordinal), "a root process in the scoped cgroup is redirected");
            }
        }
        finally
        {
            if (cgroupDir is not null) Directory.Delete(cgroupDir);
        }

        // Unscoped, agent running as a dedicated uid: that uid is excluded even without the mark.
        await rules.InstallAsync(new TransparentRuleOptions { AgentUid = 65534 });
        AssertAll(await ProbeAsync(host.Run, Nobody, false, targets), "tcp", Origin, "the agent uid is never captured");
        AssertAll(await ProbeAsync(host.Run, [], false, targets), "tcp", v => v.StartsWith("agent ", StringComparison.Ordinal), "every other process is");
        AssertAll(await ProbeAsync(host.Run, [], true, targets), "tcp", Origin, "marked sockets are never captured");

        // Agent down, rules still in (fail_mode closed): captured connections fail instead of leaving unscanned.
        await TestNetns.Stop(agent);
        AssertAll(await ProbeAsync(host.Run, [], false, targets), "tcp", v => v.StartsWith("error ", StringComparison.Ordinal), "closed: no unscanned egress");

        await rules.RemoveAsync();
        AssertAll(await ProbeAsync(host.Run, [], false, targets), "tcp", Origin, "after remove");
        Assert.True((await rules.StatusAsync()).IsClean);
    }

    [NetnsTheory]
    [InlineData(RulesBackendKind.Nftables)]
    [InlineData(RulesBackendKind.Iptables)]
    public async Task Gateway_TproxiesForwardedTraffic_OriginalDestinationIsTheLocalEndpoint_RejectsUdp443_FailsClosed(RulesBackendKind backend)
    {
        if (backend == RulesBackendKind.Iptables && NetnsSupport.Which("iptables") is null) return;
        await using var cl = await TestNetns.CreateAsync("c");
        await using var px = await TestNetns.CreateAsync("p");
        await using var sv = await TestNetns.CreateAsync("s");
        await cl.Must("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "brx0", "netns", px.Name);
        await sv.Must("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "up0", "netns", px.Name);
        foreach (var (ns, dev, v4, v6) in new[]
        {
            (cl, "eth0", "10.78.1.2/24", "fd78:1::2/64"), (px, "brx0", "10.78.1.1/24", "fd78:1::1/64"),
            (px, "up0", "10.78.2.1/24", "fd78:2::1/64"), (sv, "eth0", "10.78.2.2/24", "fd78:2::2/64"),
        })
        {
            await ns.Must("ip", "addr", "add", v4, "dev", dev);
            await ns.Must("ip", "addr", "add", v6, "dev", dev, "nodad");
            await ns.Must("ip", "link", "set", dev, "up");
        }
        await cl.Must("ip", "route", "add", "default", "via", "10.78.1.1");
        await cl.Must("ip", "-6", "route", "add", "default", "via", "fd78:1::1");
        await sv.Must("ip", "route", "add", "default", "via", "10.78.2.1");
        await sv.Must("ip", "-6", "route", "add", "default", "via", "fd78:2::1");
        await px.Must("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        string[] targets = ["10.78.2.2", "fd78:2::2"];
        await sv.StartAsync(NetnsSupport.Python, ServerPy, "origin", "80", "udp");

        var baseline = await ProbeAsync(cl.Run, [], false, targets);
        AssertAll(baseline, "tcp", Origin, "forwarding works before install");
        AssertAll(baseline, "udp", v => v == "origin", "forwarding works before install");

        var agent = await px.StartAsync(NetnsSupport.Python, ServerPy, "agent", "15001", "transparent");
        var rules = new TransparentRules(px.Runner, backend, ipv6: true);
        // The wildcard sits in a multi-element set: checks that nft treats "brx*" as a prefix there too.
        var options = new TransparentRuleOptions { Mode = TransparentRuleMode.Gateway, Interfaces = ["eth9", "brx*"] };
        await rules.InstallAsync(options);

        var captured = await ProbeAsync(cl.Run, [], false, targets);
        Assert.Equal("agent 10.78.2.2 80", captured["tcp 10.78.2.2"]); // TPROXY: the accepted socket's local end is the original destination
        Assert.Equal("agent fd78:2::2 80", captured["tcp fd78:2::2"]);
        AssertAll(captured, "udp", v => v == "error ConnectionRefusedError", "UDP/443 from the client is rejected");

        await TestNetns.Stop(agent);
        AssertAll(await ProbeAsync(cl.Run, [], false, targets), "tcp", v => v.StartsWith("error ", StringComparison.Ordinal), "closed: agent down, nothing forwarded unscanned");

        await rules.InstallAsync(options with { FailMode = TransparentFailMode.Open });
        var open = await ProbeAsync(cl.Run, [], false, targets);
        if (backend == RulesBackendKind.Nftables)
            AssertAll(open, "tcp", Origin, "open (nft): tproxy falls through when no agent listens"); // why closed mode needs its reset rule
        else
            AssertAll(open, "tcp", v => !Origin(v), "open (iptables): xt_TPROXY drops until the rules are removed");

        await rules.RemoveAsync();
        AssertAll(await ProbeAsync(cl.Run, [], false, targets), "tcp", Origin, "after remove");
        Assert.True((await rules.StatusAsync()).IsClean);
    }
}
