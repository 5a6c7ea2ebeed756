using System.Globalization;
using System.Runtime.InteropServices;

namespace Pipelock.Interceptor.Rules;

/// <summary>What installing rules needs from the process: CAP_NET_ADMIN (root has it), and who the agent runs as.</summary>
public static partial class RulesPrivileges
{
    private const int CapNetAdmin = 12;

    /// <summary>True when the effective capability set holds CAP_NET_ADMIN (read from /proc/self/status).</summary>
    public static bool HasNetAdmin()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("CapEff:", StringComparison.Ordinal)) continue;
                return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps)
                    && (caps & (1UL << CapNetAdmin)) != 0;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return false;
    }

    /// <summary>
    /// This process's uid when it is not root: the value for <see cref="TransparentRuleOptions.AgentUid"/> when the
    /// agent installs its own rules. Null for root, whose exclusion would exempt every root process.
    /// </summary>
    public static int? NonRootUid() => OperatingSystem.IsLinux() && geteuid() is var uid and not 0 ? (int)uid : null;

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
