using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Pipelock.Interceptor.Rules;

namespace Pipelock.Interceptor.Tests.Rules;

/// <summary>
/// Whether rules can be exercised for real: root (CAP_NET_ADMIN to create network namespaces and load rules) and
/// the tools. Every such test works inside namespaces it creates and deletes; the host's ruleset is never touched.
/// </summary>
public static partial class NetnsSupport
{
    private static readonly Lazy<string?> Reason = new(Probe);

    public static string? WhyNot => Reason.Value;

    public const string Python = "/usr/bin/python3";

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux network namespaces";
        if (geteuid() != 0) return "needs root: creates network namespaces and loads nft rules inside them (run as root, as CI does)";
        foreach (var tool in new[] { "ip", "nft", "nsenter", "setpriv" })
            if (Which(tool) is null) return $"needs '{tool}'";
        return null;
    }

    public static string? Which(string tool) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

/// <summary>A fact skipped (with the reason) where <see cref="NetnsSupport"/> says namespaces cannot be used.</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetnsSupport.WhyNot is { } why) Skip = why;
    }
}

/// <summary>A theory skipped (with the reason) where <see cref="NetnsSupport"/> says namespaces cannot be used.</summary>
public sealed class NetnsTheoryAttribute : TheoryAttribute
{
    public NetnsTheoryAttribute()
    {
        if (NetnsSupport.WhyNot is { } why) Skip = why;
    }
}

/// <summary>
/// A fresh named network namespace (<c>pl-rules-&lt;random&gt;</c>) with lo up, deleted on dispose together with the
/// processes started in it. Commands enter it with <c>nsenter --net</c> rather than <c>ip netns exec</c>: the latter
/// remounts /sys, which hides /sys/fs/cgroup from nft's cgroupv2 path lookup.
/// </summary>
public sealed class TestNetns : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public string Name { get; }

    public ProcessCommandRunner Runner { get; }

    private TestNetns(string name)
    {
        Name = name;
        Runner = new ProcessCommandRunner(Prefix);
    }

    public IReadOnlyList<string> Prefix => ["nsenter", $"--net=/run/netns/{Name}"];

    public static async Task<TestNetns> CreateAsync(string tag = "")
    {
        var name = $"pl-rules-{tag}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await Host(["ip", "netns", "add", name]);
        var ns = new TestNetns(name);
        await ns.Must("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs a command on the host (only ever <c>ip netns</c> / <c>ip link</c> on our own namespaces).</summary>
    public static async Task<CommandResult> Host(IReadOnlyList<string> argv)
    {
        var r = await new ProcessCommandRunner().RunAsync(argv);
        Assert.True(r.Ok, $"{string.Join(' ', argv)}: {r.Stderr}");
        return r;
    }

    public Task<CommandResult> Run(params string[] argv) => Runner.RunAsync(argv);

    public async Task<CommandResult> Must(params string[] argv)
    {
        var r = await Runner.RunAsync(argv);
        Assert.True(r.Ok, $"{string.Join(' ', argv)} in {Name}: exit {r.ExitCode}: {r.Stderr}");
        return r;
    }

    public async Task<string> Stdout(params string[] argv) => (await Must(argv)).Stdout;

    /// <summary>Starts a long-running process in the namespace and waits for its first stdout line ("ready").</summary>
    public async Task<Process> StartAsync(params string[] argv)
    {
        var psi = new ProcessStartInfo(Prefix[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Prefix.Skip(1).Concat(argv)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _processes.Add(p);
        var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != "ready")
        {
            // Read stderr only on failure: it reaches EOF only when the process ends.
            await Stop(p);
            Assert.Fail($"{string.Join(' ', argv)} did not start: {line} {await p.StandardError.ReadToEndAsync()}");
        }
        return p;
    }

    public static async Task Stop(Process p)
    {
        if (p.HasExited) return;
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { await Stop(p); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        await new ProcessCommandRunner().RunAsync(["ip", "netns", "del", Name]);
    }
}
