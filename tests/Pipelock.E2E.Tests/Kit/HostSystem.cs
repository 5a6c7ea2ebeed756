using System.Globalization;
using System.Runtime.InteropServices;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>One line of /proc/PID/stat, the fields the kit reads: the command name, the parent and the start time.</summary>
public sealed record ProcStat(string Comm, int ParentPid, string? StartTime);

/// <summary>
/// Host facts several kit pieces need: a signal by pid (processes the kit did not start itself, such as a
/// container's init or whatever is left in a namespace), /proc/PID/stat, and where a system tool lives.
/// </summary>
public static partial class HostSystem
{
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>kill(2): 0, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Kill(int pid, int signal) => kill(pid, signal);

    /// <summary>/proc/PID/stat parsed, or null when the process is gone or unreadable.</summary>
    public static ProcStat? Stat(int pid)
    {
        try
        {
            var s = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count from the last ')'.
            int open = s.IndexOf('('), close = s.LastIndexOf(')');
            var rest = s[(close + 2)..].Split(' ');
            return new ProcStat(s[(open + 1)..close], int.Parse(rest[1], CultureInfo.InvariantCulture), rest.Length > 19 ? rest[19] : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The tool's path: the system directories first (sbin is not on every PATH), then PATH; null when absent.</summary>
    public static string? FindTool(string name) =>
        SystemDirectories
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
