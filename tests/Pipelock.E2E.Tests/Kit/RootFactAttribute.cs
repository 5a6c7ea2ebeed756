using System.Runtime.InteropServices;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// Whether this machine can run the agent inside a private mount namespace with its own /etc/hosts
/// (<see cref="ProxyAgent"/>): that needs root (CAP_SYS_ADMIN for unshare and mount) and the util-linux tools.
/// CI runs the tests as root; elsewhere the tests that need it are reported as skipped, with the reason.
/// </summary>
public static partial class NamespaceSupport
{
    private static readonly Lazy<string?> Reason = new(Probe);

    /// <summary>Null when namespaced agents can run; otherwise why not.</summary>
    public static string? WhyNot => Reason.Value;

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux mount namespaces (unshare)";
        if (geteuid() != 0) return "needs root: the agent runs in a private mount namespace with a bind-mounted /etc/hosts (run the E2E tests as root, as CI does)";
        foreach (var tool in new[] { "unshare", "mount" })
            if (!new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool))))
                return $"needs '{tool}' (util-linux)";
        return null;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

/// <summary>A fact that is skipped (with the reason) where <see cref="NamespaceSupport"/> says namespaced agents cannot run.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (NamespaceSupport.WhyNot is { } why) Skip = why;
    }
}

/// <summary>A theory that is skipped (with the reason) where <see cref="NamespaceSupport"/> says namespaced agents cannot run.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (NamespaceSupport.WhyNot is { } why) Skip = why;
    }
}

/// <summary>
/// The tests that start real agents run one class at a time: each agent plus its clients already loads the two cores,
/// and streams that must arrive incrementally should not compete with a second agent's warm-up.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentCollection
{
    public const string Name = "real agent processes";
}
