using System.Security.Cryptography.X509Certificates;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.KitTests;

/// <summary>RepoPaths, FreePort, ProcessRunner, TestPki and AgentProcess (driven with /bin/sh where the agent cannot serve yet).</summary>
public sealed class ProcessKitTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public void Repo_paths_point_at_the_solution_the_built_agent_and_shared()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "Pipelock.sln")));
        Assert.True(File.Exists(RepoPaths.AgentBinary), RepoPaths.AgentBinary);
        Assert.True(Directory.Exists(Path.Combine(RepoPaths.SharedDir, "reference")), RepoPaths.SharedDir);
    }

    [Fact]
    public void Free_port_is_a_bindable_loopback_port()
    {
        var port = FreePort.Get();
        Assert.InRange(port, 1024, 65535);
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        l.Start();
    }

    [Fact]
    public async Task Run_to_exit_runs_a_one_shot_verb_of_the_real_agent()
    {
        var r = await AgentProcess.RunToExitAsync(["version"], Wait);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("pipelock ", r.Stdout);
    }

    [Fact]
    public async Task Process_runner_passes_stdin_and_env_and_scrubs_proxies()
    {
        var r = await ProcessRunner.RunAsync("/bin/sh", ["-c", "cat; echo \"[$KIT_VAR][${HTTPS_PROXY-unset}][${SSL_CERT_FILE-unset}]\" >&2"],
            new Dictionary<string, string> { ["KIT_VAR"] = "v" }, stdin: "from stdin", timeout: Wait);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("from stdin", r.Stdout);
        Assert.Equal("[v][unset][unset]", r.Stderr.Trim());
    }

    [Fact]
    public async Task Process_runner_kills_on_timeout()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            ProcessRunner.RunAsync("/bin/sh", ["-c", "echo started; exec sleep 60"], timeout: TimeSpan.FromSeconds(1)));
        Assert.Contains("started", e.Message);
    }

    [Fact]
    public async Task Agent_process_captures_lines_delivers_signals_and_reports_exit()
    {
        await using var p = await AgentProcess.StartAsync(
            ["-c", "trap 'echo got TERM; exit 3' TERM; echo ready; echo oops >&2; while :; do sleep 0.1; done"], binary: "/bin/sh");
        Assert.Equal("ready", await p.WaitForLineAsync(l => l == "ready", Wait));
        Assert.Equal("oops", await p.WaitForLineAsync(l => l == "oops", Wait));
        Assert.Contains(p.Lines, l => l.IsStderr && l.Text == "oops");
        Assert.Null(p.ExitCode);

        p.Signal(AgentProcess.SIGTERM);
        await p.WaitForLineAsync(l => l == "got TERM", Wait);
        Assert.Equal(3, await p.WaitForExitAsync(Wait));
        Assert.Equal(3, p.ExitCode);
        // A wait for a line that can no longer come fails at once instead of running into its timeout.
        await Assert.ThrowsAsync<InvalidOperationException>(() => p.WaitForLineAsync(l => l == "never", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Agent_process_waits_for_health_and_dispose_kills_it()
    {
        await using var health = await RecordingUpstream.StartAsync();
        int pid;
        await using (var p = await AgentProcess.StartAsync(["-c", "exec sleep 60"], healthUrl: new Uri(health.BaseUri, "echo"), binary: "/bin/sh"))
        {
            pid = p.Pid;
            Assert.False(p.HasExited);
            Assert.Contains(health.Requests, r => r.Path == "/echo");
        }
        Assert.False(Directory.Exists("/proc/" + pid), "process still there after dispose");
    }

    [Fact]
    public async Task Agent_process_start_fails_with_output_when_health_never_comes_or_process_dies()
    {
        await using var health = await RecordingUpstream.StartAsync();
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => AgentProcess.StartAsync(
            ["-c", "echo waiting-forever; exec sleep 60"], healthUrl: new Uri(health.BaseUri, "missing"), timeout: TimeSpan.FromSeconds(2), binary: "/bin/sh"));
        Assert.Contains("HTTP 404", timeout.Message);
        Assert.Contains("waiting-forever", timeout.Message);

        var died = await Assert.ThrowsAsync<InvalidOperationException>(() => AgentProcess.StartAsync(
            ["-c", "echo bad config >&2; exit 2"], healthUrl: new Uri(health.BaseUri, "missing"), binary: "/bin/sh"));
        Assert.Contains("exited with code 2", died.Message);
        Assert.Contains("bad config", died.Message);
    }

    [Fact]
    public void Test_pki_chains_leaves_to_its_root_and_writes_bundles()
    {
        using var pki = TestPki.Create();
        using var leaf = pki.IssueServerCertificate("upstream.test", "127.0.0.1");
        Assert.True(leaf.HasPrivateKey);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(pki.CaPemPath));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(leaf.MatchesHostname("upstream.test"));
        Assert.True(leaf.MatchesHostname("127.0.0.1"));

        static int Count(string path) => File.ReadAllText(path).Split("-----BEGIN CERTIFICATE-----").Length - 1;
        var system = Count(TestPki.SystemBundlePath);
        var extra = pki.WritePem(leaf, "leaf.pem");
        Assert.Equal(system + 2, Count(pki.WriteBundle([extra])));
        Assert.Equal(1, Count(pki.WriteBundle(includeSystem: false)));
        Assert.Contains("PRIVATE KEY", File.ReadAllText(pki.CaKeyPemPath));
    }
}
