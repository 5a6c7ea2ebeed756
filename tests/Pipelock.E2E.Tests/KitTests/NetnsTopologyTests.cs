using System.Net;
using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.KitTests;

/// <summary>
/// The network-namespace rig with no agent in it: plain routing through the proxy namespace, so the server must see
/// the client's own address. Everything runs inside namespaces the test makes and deletes.
/// </summary>
public sealed class NetnsTopologyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [RootFact]
    public async Task Topology_comes_up_with_addresses_routes_and_forwarding_and_leaves_the_host_alone()
    {
        await using var t = await NetnsTopology.CreateAsync();
        var listed = await NetnsTopology.ListNamespacesAsync();
        foreach (var ns in t.Namespaces) Assert.Contains(ns, listed);
        Assert.Matches("^pl-cl-[0-9a-f]{4}$", t.ClientNs);
        foreach (var dev in new[] { NetnsTopology.ClientInterface, NetnsTopology.ProxyClientSideInterface, NetnsTopology.ProxyServerSideInterface, NetnsTopology.ServerInterface })
            Assert.InRange(dev.Length, 1, 15);

        await AssertAddressesAsync(t, t.ClientNs, t.ClientV4, t.ClientV6);
        await AssertAddressesAsync(t, t.ProxyNs, t.ProxyClientSideV4, t.ProxyClientSideV6, t.ProxyServerSideV4, t.ProxyServerSideV6);
        await AssertAddressesAsync(t, t.ServerNs, t.ServerV4, t.ServerV6);

        Assert.Contains("via " + t.ProxyClientSideV4, Ok(await t.ExecAsync(t.ClientNs, NetnsTopology.IpPath, ["route", "show", "default"])));
        Assert.Contains("via " + t.ProxyClientSideV6, Ok(await t.ExecAsync(t.ClientNs, NetnsTopology.IpPath, ["-6", "route", "show", "default"])));
        Assert.Contains("via " + t.ProxyServerSideV4, Ok(await t.ExecAsync(t.ServerNs, NetnsTopology.IpPath, ["route", "show", "default"])));
        Assert.Contains("via " + t.ProxyServerSideV6, Ok(await t.ExecAsync(t.ServerNs, NetnsTopology.IpPath, ["-6", "route", "show", "default"])));

        // Forwarding on, and no ICMP redirects from any interface (the per-interface value counts too).
        var sysctl = Ok(await t.ExecAsync(t.ProxyNs, "cat",
        [
            "/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding", "/proc/sys/net/ipv4/conf/all/send_redirects",
            $"/proc/sys/net/ipv4/conf/{NetnsTopology.ProxyClientSideInterface}/send_redirects",
            $"/proc/sys/net/ipv4/conf/{NetnsTopology.ProxyServerSideInterface}/send_redirects",
        ]));
        Assert.Equal(["1", "1", "0", "0", "0"], sysctl.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The host's namespace has none of it: no link, address or route of this rig.
        var hostLinks = Ok(await ProcessRunner.RunAsync(NetnsTopology.IpPath, ["-o", "link"]));
        var hostAddrs = Ok(await ProcessRunner.RunAsync(NetnsTopology.IpPath, ["-o", "addr"]));
        var hostRoutes = Ok(await ProcessRunner.RunAsync(NetnsTopology.IpPath, ["route"])) + Ok(await ProcessRunner.RunAsync(NetnsTopology.IpPath, ["-6", "route"]));
        Assert.DoesNotContain("veth-", hostLinks);
        foreach (var prefix in new[] { $"10.{t.Subnet}.", $"fd{t.Subnet:x2}:" })
        {
            Assert.DoesNotContain(prefix, hostAddrs);
            Assert.DoesNotContain(prefix, hostRoutes);
        }

        // The guard: a name that is not one of this topology's namespaces is refused, never run in the host's.
        await Assert.ThrowsAsync<ArgumentException>(() => t.ExecAsync("not-ours", "true", []));
        Assert.Throws<ArgumentException>(() => t.SetHosts("not-ours", ("a.test", "10.0.0.1")));
    }

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_reaches_the_server_through_the_proxy_namespace_and_the_server_sees_the_client(bool ipv6)
    {
        await using var t = await NetnsTopology.CreateAsync();
        await using var up = await NetnsUpstream.StartAsync(t);
        var server = (ipv6 ? t.ServerV6 : t.ServerV4).ToString();
        var client = (ipv6 ? t.ClientV6 : t.ClientV4).ToString();

        // HTTPS, trusting only the test CA; the IP is in the certificate. Plain routing: the client's own address arrives.
        var body = "hello from " + client;
        var r = await t.CurlAsync(t.ClientNs, up.HttpsUrl(server, "/echo"), new CurlRequest { Method = "POST", Body = body, CaFile = up.Pki.CaPemPath });
        Assert.True(r.ExitCode == 0 && r.HttpStatus == 200, r.ToString());
        var echo = NetnsRequest.Parse(r.Body);
        Assert.Equal(client, echo.Client);
        Assert.Equal(server, echo.LocalAddress);
        Assert.Equal(443, echo.LocalPort);
        Assert.Equal("https", echo.Scheme);
        Assert.Equal(body.Length, echo.BodyLength);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))), echo.BodySha256);
        Assert.Null(echo.Sni); // curl sends no SNI for an IP literal

        // The request log says the same, both as read live and from its file.
        var logged = await up.WaitForRequestAsync(q => q.Seq == echo.Seq, Wait);
        Assert.Equal(client, logged.Client);
        Assert.Contains(up.ReadRequestLog(), q => q.Seq == echo.Seq && q.Client == client && q.Method == "POST");

        // Plain HTTP, a body large enough to span many reads, byte-exact.
        const int n = 300_000;
        var bytes = await t.CurlAsync(t.ClientNs, up.HttpUrl(server, $"/bytes?n={n}"));
        Assert.True(bytes.HttpStatus == 200, bytes.ToString());
        Assert.Equal(NetnsUpstream.PatternBytes(n), bytes.BodyBytes);
        Assert.Equal(NetnsUpstream.PatternSha256(n), bytes.Headers["X-Body-Sha256"]);

        // SSE, event by event, with one event carrying a payload of the test's choice.
        var sse = await t.CurlStreamAsync(t.ClientNs, up.HttpsUrl(server, "/sse?n=3&delayMs=50&at=2&data=custom"), new CurlRequest { CaFile = up.Pki.CaPemPath });
        Assert.True(sse.HttpStatus == 200, sse.ToString());
        Assert.Equal(["data: event 1", "data: custom", "data: event 3"], sse.Lines.Select(l => l.Text).Where(l => l.Length > 0));
        var sseRequest = await up.WaitForRequestAsync(q => q.Path == "/sse", Wait);
        Assert.True((await up.WaitForSseEventAsync(sseRequest.Seq, 3, Wait)).WrittenAtUtc > sseRequest.ReceivedAtUtc.AddSeconds(-1));

        // Without the CA the client refuses the server, and the server logs the failed handshake.
        var untrusted = await t.CurlAsync(t.ClientNs, up.HttpsUrl(server, "/echo"), new CurlRequest { CaFile = TestPki.SystemBundlePath });
        Assert.Equal(60, untrusted.ExitCode); // CURLE_PEER_FAILED_VERIFICATION
        await up.Process.WaitForLineAsync(l => l.StartsWith("@@tls-error ", StringComparison.Ordinal), Wait);
        Assert.Contains(up.TlsErrors, e => e.Client == client);
    }

    [RootFact]
    public async Task A_uid_in_the_proxy_namespace_reaches_the_server_from_the_proxy_address()
    {
        await using var t = await NetnsTopology.CreateAsync();
        await using var up = await NetnsUpstream.StartAsync(t);
        Assert.Equal(NetnsTopology.NobodyUid.ToString(), Ok(await t.RunAsUidAsync(t.ProxyNs, NetnsTopology.NobodyUid, "id", ["-u"])).Trim());
        Assert.Equal("0", Ok(await t.ExecAsync(t.ProxyNs, "id", ["-u"])).Trim());

        // The local-mode client: another uid in the agent's namespace. Its connections leave from the proxy's own address.
        var r = await t.CurlAsync(t.ProxyNs, up.HttpsUrl(t.ServerV4.ToString(), "/echo"), new CurlRequest { CaFile = up.Pki.CaPemPath }, uid: NetnsTopology.NobodyUid);
        Assert.True(r.HttpStatus == 200, r.ToString());
        Assert.Equal(t.ProxyServerSideV4.ToString(), NetnsRequest.Parse(r.Body).Client);

        // A long-running process as that uid.
        await using var p = await t.StartInAsync(t.ProxyNs, "sh", ["-c", "id -u; exec sleep 60"], uid: NetnsTopology.NobodyUid);
        await p.WaitForLineAsync(l => l == NetnsTopology.NobodyUid.ToString(), Wait);
        Assert.Contains(p.Pid, await NetnsTopology.PidsInAsync(t.ProxyNs));
    }

    [RootFact]
    public async Task Hosts_file_names_the_server_in_its_namespace_only()
    {
        await using var t = await NetnsTopology.CreateAsync();
        await using var up = await NetnsUpstream.StartAsync(t);
        t.SetHosts(t.ClientNs, ("upstream.test", t.ServerV6.ToString()), ("api.upstream.test", t.ServerV4.ToString()));
        Assert.True(File.Exists(NetnsTopology.HostsPath(t.ClientNs)));

        var v6 = await t.CurlAsync(t.ClientNs, up.HttpsUrl("upstream.test", "/echo"), new CurlRequest { CaFile = up.Pki.CaPemPath });
        Assert.True(v6.HttpStatus == 200, v6.ToString());
        var e6 = NetnsRequest.Parse(v6.Body);
        Assert.Equal(("upstream.test", "upstream.test", t.ClientV6.ToString()), (e6.Sni, e6.Host, e6.Client));

        var v4 = await t.CurlAsync(t.ClientNs, up.HttpsUrl("api.upstream.test", "/echo"), new CurlRequest { CaFile = up.Pki.CaPemPath });
        Assert.True(v4.HttpStatus == 200, v4.ToString());
        var e4 = NetnsRequest.Parse(v4.Body);
        Assert.Equal(("api.upstream.test", t.ClientV4.ToString()), (e4.Sni, e4.Client));

        Assert.Equal(2, (await t.ExecAsync(t.ProxyNs, "getent", ["hosts", "upstream.test"])).ExitCode); // 2 = not found
        Assert.Contains("localhost", Ok(await t.ExecAsync(t.ClientNs, "getent", ["hosts", "localhost"])));
        Assert.DoesNotContain("upstream.test", await File.ReadAllTextAsync("/etc/hosts")); // the host's view is untouched
    }

    [RootFact]
    public async Task Dispose_removes_namespaces_hosts_files_markers_and_every_process_inside()
    {
        var t = await NetnsTopology.CreateAsync();
        NetnsUpstream? up = null;
        var pids = new List<int>();
        try
        {
            foreach (var ns in t.Namespaces) t.SetHosts(ns, ("x.test", t.ServerV4.ToString()));
            up = await NetnsUpstream.StartAsync(t);
            var tracked = await t.StartInAsync(t.ProxyNs, "sleep", ["600"]);
            // A daemon the topology never saw: its parent exits at once, so only "ip netns pids" can find it.
            var orphan = Ok(await t.ExecAsync(t.ClientNs, "sh", ["-c", "sleep 600 >/dev/null 2>&1 & echo $!"]));
            pids.AddRange([up.Process.Pid, tracked.Pid, int.Parse(orphan.Trim())]);
            foreach (var ns in t.Namespaces) Assert.True(Directory.Exists(Path.Combine(NetnsTopology.EtcNetns, ns)));
            foreach (var ns in t.Namespaces) Assert.True(File.Exists(NetnsTopology.MarkerPath(ns)));
        }
        finally
        {
            await t.DisposeAsync();
        }

        Assert.Empty(t.CleanupErrors);
        var listed = await NetnsTopology.ListNamespacesAsync();
        foreach (var ns in t.Namespaces)
        {
            Assert.DoesNotContain(ns, listed);
            Assert.False(Directory.Exists(Path.Combine(NetnsTopology.EtcNetns, ns)), ns);
            Assert.False(File.Exists(NetnsTopology.MarkerPath(ns)), ns);
        }
        foreach (var pid in pids) await AssertGoneAsync(pid);
        await up!.DisposeAsync(); // after the topology: harmless
        await t.DisposeAsync();   // twice: harmless
        Assert.Throws<ObjectDisposedException>(() => t.SetHosts(t.ClientNs));
    }

    [RootTheory]
    [InlineData("namespaces")]
    [InlineData("links")]
    [InlineData("addresses")]
    [InlineData("routes")]
    [InlineData("sysctl")]
    public async Task A_failed_step_tears_down_what_exists_and_reports_the_commands_stderr(string step)
    {
        var e = await Assert.ThrowsAsync<NetnsException>(() => NetnsTopology.CreateAsync("plfail", failAfterStep: step));
        Assert.Contains("pl-no-such-dev", e.Message);
        Assert.Contains("Cannot find device", e.Message);
        Assert.DoesNotContain(await NetnsTopology.ListNamespacesAsync(), n => n.StartsWith("plfail-", StringComparison.Ordinal));
        if (Directory.Exists(NetnsTopology.MarkerDirectory))
            Assert.DoesNotContain(Directory.GetFiles(NetnsTopology.MarkerDirectory), f => Path.GetFileName(f).StartsWith("plfail-", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Two_topologies_built_in_parallel_are_separate()
    {
        var created = await Task.WhenAll(NetnsTopology.CreateAsync(), NetnsTopology.CreateAsync());
        await using var a = created[0];
        await using var b = created[1];
        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Subnet, b.Subnet);
        var ups = await Task.WhenAll(NetnsUpstream.StartAsync(a), NetnsUpstream.StartAsync(b));
        await using var upA = ups[0];
        await using var upB = ups[1];

        foreach (var (t, up) in new[] { (a, upA), (b, upB) })
        {
            foreach (var (server, client) in new[] { (t.ServerV4, t.ClientV4), (t.ServerV6, t.ClientV6) })
            {
                var r = await t.CurlAsync(t.ClientNs, up.HttpsUrl(server.ToString(), "/echo"), new CurlRequest { CaFile = up.Pki.CaPemPath });
                Assert.True(r.HttpStatus == 200, r.ToString());
                Assert.Equal(client.ToString(), NetnsRequest.Parse(r.Body).Client);
            }
        }
        // Each client reaches only its own rig: the other's server address has no route out of this namespace's world.
        var cross = await a.CurlAsync(a.ClientNs, upB.HttpUrl(b.ServerV4.ToString(), "/echo"), new CurlRequest { Timeout = TimeSpan.FromSeconds(3) });
        Assert.NotEqual(0, cross.ExitCode);
        Assert.DoesNotContain(upB.Requests, q => q.Client == a.ClientV4.ToString());
    }

    [RootFact]
    public async Task Sweep_deletes_the_namespaces_of_a_test_process_that_died_without_disposing()
    {
        await using var t = await NetnsTopology.CreateAsync("plsweep");
        t.SetHosts(t.ClientNs, ("x.test", "10.0.0.1"));
        // Pretend the owner died: a pid and start time that name no live process.
        foreach (var ns in t.Namespaces) await File.WriteAllTextAsync(NetnsTopology.MarkerPath(ns), "999999999 0\n");

        var swept = await NetnsTopology.SweepStaleAsync();
        foreach (var ns in t.Namespaces) Assert.Contains(ns, swept);
        var listed = await NetnsTopology.ListNamespacesAsync();
        foreach (var ns in t.Namespaces) Assert.DoesNotContain(ns, listed);
        Assert.False(Directory.Exists(Path.Combine(NetnsTopology.EtcNetns, t.ClientNs)));
        // Live owners' namespaces (other tests running now) are not swept: nothing of this process's but ours went.
        Assert.All(swept, ns => Assert.Contains(ns, t.Namespaces));
    }

    private static async Task AssertAddressesAsync(NetnsTopology t, string ns, params IPAddress[] addresses)
    {
        var text = Ok(await t.ExecAsync(ns, NetnsTopology.IpPath, ["-j", "addr"]));
        using var doc = JsonDocument.Parse(text);
        var infos = doc.RootElement.EnumerateArray().SelectMany(l => l.GetProperty("addr_info").EnumerateArray()).ToList();
        foreach (var a in addresses)
        {
            var info = infos.Single(i => i.GetProperty("local").GetString() == a.ToString());
            // Added with nodad: never "tentative", so usable at once (link-local fe80:: addresses still run DAD; unused).
            Assert.False(info.TryGetProperty("tentative", out _), $"{a} in {ns} is tentative");
        }
    }

    private static async Task AssertGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            string? state = null;
            try { state = File.ReadAllText($"/proc/{pid}/stat") is var s ? s[(s.LastIndexOf(')') + 2)..].Split(' ')[0] : null; }
            catch (IOException) { } // gone
            if (state is null or "Z" or "X") return;
            Assert.True(DateTime.UtcNow < deadline, $"pid {pid} still running (state {state})");
            await Task.Delay(50);
        }
    }

    private static string Ok(ProcessResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }
}
