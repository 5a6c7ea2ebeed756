using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// A real systemd to install the service under: a minimal Debian bookworm root (<see cref="EnsureRootAsync"/>,
/// debootstrapped once and cached under <see cref="CacheDirectory"/>) booted with systemd-nspawn inside one of the test's
/// own network namespaces. <c>--volatile=overlay</c> puts a tmpfs over the cached root, so whatever a test installs is
/// gone at <see cref="DisposeAsync"/>; the source tree and other host paths come in read-only with <c>--bind-ro</c>.
/// Commands run inside through <c>nsenter -a</c> into the container's init (<see cref="ExecAsync"/>), with a clean
/// environment.
/// </summary>
public sealed class SystemdContainer : IAsyncDisposable
{
    /// <summary>Where the debootstrapped roots are cached between runs (one directory per package set).</summary>
    public const string CacheDirectory = "/var/cache/pipelock-e2e";

    /// <summary>
    /// What the root holds beyond minbase: systemd and what `systemctl` needs; ruby (the Sure app's client); nft and ip
    /// for the service's rules; OpenSSL and the CA bundle for the self-contained .NET build and for Ruby.
    /// </summary>
    public static readonly IReadOnlyList<string> Packages =
        ["systemd", "systemd-sysv", "dbus", "procps", "ruby", "nftables", "iproute2", "libssl3", "ca-certificates", "curl"];

    public const string Suite = "bookworm";
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan DebootstrapTimeout = TimeSpan.FromMinutes(10);
    private const string CleanPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly SemaphoreSlim RootGate = new(1, 1);
    private readonly AgentProcess _nspawn;

    private SystemdContainer(AgentProcess nspawn, int initPid)
    {
        _nspawn = nspawn;
        InitPid = initPid;
    }

    /// <summary>The container's systemd, as a host pid (what nsenter targets).</summary>
    public int InitPid { get; }

    /// <summary>systemd-nspawn's own output (the container's console): boot messages, for failure reports.</summary>
    public string Console => _nspawn.Output;

    /// <summary>The cached root for <see cref="Packages"/>, made on first use (about 90 s; needs debootstrap and a Debian mirror).</summary>
    public static async Task<string> EnsureRootAsync()
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Suite + "|minbase|" + string.Join(',', Packages))))[..12];
        var root = Path.Combine(CacheDirectory, $"{Suite}-{key}");
        var done = Path.Combine(root, ".pipelock-complete");
        if (File.Exists(done)) return root;
        await RootGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            // Another test process may be building the same root: an exclusive lock file orders them.
            using var lockFile = await LockAsync(Path.Combine(CacheDirectory, $".{Suite}-{key}.lock"), DebootstrapTimeout).ConfigureAwait(false);
            if (File.Exists(done)) return root;
            var tmp = root + ".tmp";
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            var debootstrap = HostSystem.FindTool("debootstrap")
                ?? throw new InvalidOperationException("debootstrap is not installed (scripts/test.sh installs it)");
            var mirror = Environment.GetEnvironmentVariable("PIPELOCK_E2E_DEBIAN_MIRROR") is { Length: > 0 } m ? m : "http://deb.debian.org/debian";
            var r = await ProcessRunner.RunAsync(debootstrap,
                ["--variant=minbase", "--include=" + string.Join(',', Packages), Suite, tmp, mirror], timeout: DebootstrapTimeout).ConfigureAwait(false);
            if (r.ExitCode != 0)
                throw new InvalidOperationException($"debootstrap {Suite} failed:\n{Tail(r.Stdout, 30)}\n{Tail(r.Stderr, 30)}");
            await File.WriteAllTextAsync(Path.Combine(tmp, ".pipelock-complete"), string.Join(',', Packages) + "\n").ConfigureAwait(false);
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            Directory.Move(tmp, root);
            return root;
        }
        finally
        {
            RootGate.Release();
        }
    }

    /// <summary>
    /// Boots <paramref name="root"/> in the network namespace <paramref name="netns"/> (a name under /run/netns that the
    /// test made) and returns once systemd answers and the boot has settled (bounded by <see cref="BootTimeout"/>).
    /// </summary>
    /// <param name="bindReadOnly">(host path, container path) pairs.</param>
    public static async Task<SystemdContainer> BootAsync(string root, string netns, IEnumerable<(string Host, string Container)> bindReadOnly)
    {
        var nspawn = HostSystem.FindTool("systemd-nspawn")
            ?? throw new InvalidOperationException("systemd-nspawn is not installed (package systemd-container; scripts/test.sh installs it)");
        var args = new List<string>
        {
            "-D", root, "-b", "-q", "--register=no", "--keep-unit", "--volatile=overlay",
            "--network-namespace-path=/run/netns/" + netns,
            // nspawn grants CAP_NET_ADMIN only with --private-network, and a path does not count as that; the service
            // needs it for its rules, and the namespace is the test's own.
            "--capability=CAP_NET_ADMIN",
            "--machine=pl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
        };
        foreach (var (host, container) in bindReadOnly) args.Add($"--bind-ro={host}:{container}");
        var process = await AgentProcess.StartAsync([.. args], new Dictionary<string, string> { ["SYSTEMD_LOG_LEVEL"] = "warning" }, binary: nspawn).ConfigureAwait(false);
        try
        {
            var deadline = DateTime.UtcNow + BootTimeout;
            int init = 0;
            while (init == 0)
            {
                if (process.HasExited) throw new InvalidOperationException("systemd-nspawn exited during boot:\n" + process.Output);
                if (DateTime.UtcNow > deadline) throw new TimeoutException("no container init under systemd-nspawn:\n" + process.Output);
                init = FindInit(process.Pid);
                if (init == 0) await Task.Delay(100).ConfigureAwait(false);
            }
            while (!File.Exists($"/proc/{init}/root/run/systemd/private"))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                    throw new TimeoutException("the container's systemd never opened /run/systemd/private:\n" + process.Output);
                await Task.Delay(100).ConfigureAwait(false);
            }
            var container = new SystemdContainer(process, init);
            // "running" or "degraded" both mean the boot is over; which units failed goes into the output for reports.
            var state = await container.ExecAsync(["systemctl", "is-system-running", "--wait"], deadline - DateTime.UtcNow).ConfigureAwait(false);
            if (state.Stdout.Trim() is not ("running" or "degraded"))
                throw new InvalidOperationException($"the container did not finish booting: {state}\n{process.Output}");
            return container;
        }
        catch
        {
            await KillAsync(process).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a command inside (all of the container's namespaces, root, PATH and nothing else), bounded.</summary>
    public Task<ProcessResult> ExecAsync(IReadOnlyList<string> command, TimeSpan? timeout = null, string? stdin = null) =>
        ProcessRunner.RunAsync("nsenter",
            ["-t", InitPid.ToString(CultureInfo.InvariantCulture), "-a", "--", "/usr/bin/env", "-i", "PATH=" + CleanPath, "HOME=/root", "LANG=C.UTF-8", .. command],
            stdin: stdin, timeout: timeout ?? TimeSpan.FromSeconds(60));

    /// <summary><see cref="ExecAsync"/> of <c>sh -c script</c>.</summary>
    public Task<ProcessResult> ShAsync(string script, TimeSpan? timeout = null) => ExecAsync(["sh", "-c", script], timeout);

    /// <summary>Runs a command and fails with its output unless it exits 0; returns stdout.</summary>
    public async Task<string> MustAsync(IReadOnlyList<string> command, TimeSpan? timeout = null, string? stdin = null)
    {
        var r = await ExecAsync(command, timeout, stdin).ConfigureAwait(false);
        if (r.ExitCode != 0) throw new InvalidOperationException($"in the container: {string.Join(' ', command)}\n{r}");
        return r.Stdout;
    }

    /// <summary>Writes a file inside the container (through its own filesystem, so the overlay takes it).</summary>
    public async Task WriteFileAsync(string path, string content, string mode = "0644")
    {
        await MustAsync(["sh", "-c", $"umask 077 && mkdir -p '{Path.GetDirectoryName(path)}' && cat > '{path}.tmp' && chmod {mode} '{path}.tmp' && mv '{path}.tmp' '{path}'"], stdin: content).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await KillAsync(_nspawn).ConfigureAwait(false);

    // The container's init is nspawn's child or grandchild (nspawn forks an intermediate process into the new
    // namespaces), named "systemd".
    private static int FindInit(int nspawnPid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            if (HostSystem.Stat(pid) is not { Comm: "systemd" } stat) continue;
            if (stat.ParentPid == nspawnPid || HostSystem.Stat(stat.ParentPid)?.ParentPid == nspawnPid) return pid;
        }
        return 0;
    }

    // SIGKILL to nspawn's payload: the container's pid namespace dies with its init, nspawn then exits and the
    // overlay's tmpfs goes with it. Nothing inside needs a clean shutdown (the network namespace is the test's).
    private static async Task KillAsync(AgentProcess nspawn)
    {
        if (!nspawn.HasExited)
        {
            int init = FindInit(nspawn.Pid);
            if (init != 0) _ = HostSystem.Kill(init, AgentProcess.SIGKILL);
            try { await nspawn.WaitForExitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        await nspawn.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<FileStream> LockAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { await Task.Delay(500).ConfigureAwait(false); }
        }
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
