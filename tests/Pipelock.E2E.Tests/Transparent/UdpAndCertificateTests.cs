using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Transparent;

/// <summary>
/// What the transparent rules refuse rather than scan: UDP to the captured ports (QUIC would bypass the TLS bump,
/// so it is rejected and clients fall back to TCP), and upstreams whose certificate the agent cannot verify.
/// </summary>
[Collection(AgentCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UdpAndCertificateTests
{
    private const string Python = "/usr/bin/python3";

    /// <summary>UDP port an uncaptured control datagram goes to, proving the listener would have seen a leak.</summary>
    private const int ControlPort = 4443;

    [RootFact]
    public async Task Udp443_LocalSender_RefusedAtSendto_AndNeverReachesTheServer()
    {
        await using var rig = await TransparentRig.StartAsync();
        var listener = await StartUdpListenerAsync(rig);
        var script = $"""
            import socket, errno
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.sendto(b'quic-probe', ('{rig.Topology.ServerV4}', 443))
                print('sent')
            except OSError as e:
                print(errno.errorcode.get(e.errno, str(e.errno)))
            s.sendto(b'control', ('{rig.Topology.ServerV4}', {ControlPort}))
            """;

        var r = await rig.Topology.RunAsUidAsync(rig.ClientNs, TransparentRig.ClientUid, Python, ["-c", script], timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("EPERM", r.Stdout.Trim());
        await listener.WaitForLineAsync(l => l == "got " + ControlPort + " control", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(listener.Lines, l => l.Text.StartsWith("got 443", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Udp443_ForwardedClient_GetsConnectionRefused_AndNeverReachesTheServer()
    {
        await using var rig = await TransparentRig.StartAsync(mode: "gateway");
        var listener = await StartUdpListenerAsync(rig);
        var script = $"""
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(10)
            s.connect(('{rig.Topology.ServerV4}', 443))
            s.send(b'quic-probe')
            try:
                s.recv(100)
                print('data')
            except ConnectionRefusedError:
                print('refused')
            except socket.timeout:
                print('timeout')
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'control', ('{rig.Topology.ServerV4}', {ControlPort}))
            """;

        var r = await rig.Topology.ExecAsync(rig.ClientNs, Python, ["-c", script], timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("refused", r.Stdout.Trim());
        await listener.WaitForLineAsync(l => l == "got " + ControlPort + " control", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(listener.Lines, l => l.Text.StartsWith("got 443", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task UpstreamCertificateFromAnUntrustedCa_Gets502_AndNoRequestReachesTheOrigin()
    {
        await using var rig = await TransparentRig.StartAsync(untrustedUpstream: true);

        var r = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/text?body=never"));

        Assert.Equal(502, r.HttpStatus);
        Assert.DoesNotContain("never", r.Body);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Path == "/text");
    }

    [RootFact]
    public async Task UpstreamCertificateForAnotherName_Gets502_AndNoRequestReachesTheOrigin()
    {
        // other.test resolves to the origin, whose certificate names only upstream.test and api.upstream.test.
        await using var rig = await TransparentRig.StartAsync(extraHostNames: ["other.test"]);

        var r = await rig.CurlAsync(rig.Upstream.HttpsUrl("other.test", "/text?body=never"));
        var control = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/text?body=fine"));

        Assert.Equal(502, r.HttpStatus);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Target.Contains("body=never", StringComparison.Ordinal));
        Assert.Equal(200, control.HttpStatus);
        Assert.Equal("fine", control.Body);
    }

    [RootFact]
    public async Task ExpiredUpstreamCertificate_Gets502_AndNoRequestReachesTheOrigin()
    {
        await using var rig = await TransparentRig.StartAsync(expiredUpstream: true);

        var r = await rig.CurlAsync(rig.Upstream.HttpsUrl("upstream.test", "/text?body=never"));
        // The same origin is otherwise fine: trusting its CA directly, only the date is wrong (curl exit 60 as well).
        var direct = await rig.Topology.CurlAsync(rig.Topology.ProxyNs, rig.Upstream.HttpsUrl("upstream.test", "/text?body=direct"),
            new CurlRequest { CaFile = rig.Upstream.Pki.CaPemPath, Timeout = TimeSpan.FromSeconds(15) });

        Assert.Equal(502, r.HttpStatus);
        Assert.DoesNotContain(rig.Upstream.Requests, q => q.Path == "/text");
        Assert.Equal(60, direct.ExitCode);
        Assert.Contains("expired", direct.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A UDP listener in the server namespace on 443 and <see cref="ControlPort"/> (dual stack), one line per datagram.</summary>
    private static async Task<AgentProcess> StartUdpListenerAsync(TransparentRig rig)
    {
        const string script = """
            import socket, sys, threading
            def serve(port):
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(('::', port))
                while True:
                    data, _ = s.recvfrom(2048)
                    print('got %d %s' % (port, data.decode('ascii', 'replace')), flush=True)
            for p in (443, int(sys.argv[1])):
                threading.Thread(target=serve, args=(p,), daemon=True).start()
            print('ready', flush=True)
            threading.Event().wait()
            """;
        var p = await rig.Topology.StartInAsync(rig.Topology.ServerNs, Python, ["-u", "-c", script, ControlPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await p.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(15));
        return p;
    }
}
