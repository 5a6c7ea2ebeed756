using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// Pipelock's 17 built-in rules (<c>DefaultToolPolicyRules()</c>, catalogue §3.8), patterns verbatim.
/// Rules with a null action follow the section action (default warn).
/// </summary>
public static partial class ToolPolicyRules
{
    /// <summary>Shell-like tool names.</summary>
    public const string ShellTools = "(?i)^(bash|shell|exec|run_command|execute|terminal|bash_exec)$";

    /// <summary>File-writing tool names.</summary>
    public const string WriteTools = "(?i)^(write_file|file_write|edit_file|create_file|modify_file|append_file)$";

    private const string ShellOrRead = "(?i)^(bash|shell|exec|run_command|execute|terminal|bash_exec|read_file|file_read)$";
    private const string ShellOrGit = "(?i)^(bash|shell|exec|run_command|execute|terminal|bash_exec|git)$";
    private const string ShellOrWrite = "(?i)^(bash|shell|exec|run_command|execute|terminal|bash_exec|write_file|file_write|edit_file|create_file|modify_file|append_file)$";

    private const string PersistPaths = @"(/etc/crontab\b|/etc/cron\.(d|daily|hourly|weekly|monthly)/|/var/spool/cron/|/etc/init\.d/|/etc/systemd/|/lib/systemd/|/usr/lib/systemd/|\.config/systemd/user/|/Library/Launch(Daemons|Agents)/)";
    private const string Profiles = "(bashrc|bash_profile|profile|zshrc|zprofile|zshenv|bash_logout)";

    /// <summary>A rule of the shipped sets: its patterns are vetted code (<see cref="Text.RuleRegex.BuiltIn"/>).</summary>
    internal static ToolPolicyRule BuiltIn(string name, string toolPattern, string? argPattern = null, ScanAction? action = null,
        Severity? severity = null, string? argKey = null) =>
        new(name, toolPattern, argPattern, argKey, action, redirectProfile: null, severity, builtIn: true);

    public static ImmutableArray<ToolPolicyRule> Defaults { get; } =
    [
        BuiltIn("Destructive File Delete", ShellTools, @"(?i)\brm\s+(--\s+)?(-[a-z]*[rf]\b|--(?:recursive|force)\b)", action: ScanAction.Block),
        BuiltIn("Recursive Permission Change", ShellTools, @"(?i)\b(chmod\s+(-R|--recursive)\s+(777|666)|chmod\s+(777|666)\s+(-R|--recursive)|chown\s+(-R|--recursive))\b"),
        BuiltIn("Credential File Access", ShellOrRead, @"(?i)(\.ssh/(id_|authorized)|\.aws/credentials|\.env\b|\.netrc|/etc/shadow)", action: ScanAction.Block),
        BuiltIn("Network Exfiltration", ShellTools, @"(?i)\b(curl|wget)\b.*(-d\s|-F\s|-T\s|--data(?:-binary|-raw|-urlencode)?\b|--form\b|--upload-file\b|--post-data\b|--post-file\b|--body-data\b|--body-file\b|-X\s+POST)"),
        BuiltIn("Reverse Shell", ShellTools, @"(?i)(bash\s+-i\s+>&|/dev/tcp/|mkfifo\s+|nc\s+-e|ncat\s+-e)", action: ScanAction.Block, severity: Severity.Critical),
        BuiltIn("Disk Wipe Command", ShellTools, @"(?i)\b(dd\s+if=.*of=/dev/|mkfs\.|fdisk)\b", action: ScanAction.Block, severity: Severity.Critical),
        BuiltIn("Package Install", ShellTools, @"(?i)\b(pip|npm|gem|cargo|go)\s+install\b"),
        BuiltIn("Destructive Git Operation", ShellOrGit, @"(?i)(\bgit\s+)?(push\s+(--force(\s|$)|-f\b)|reset\s+--hard\b|clean\s+-fd\b)", action: ScanAction.Block),
        BuiltIn("Encoded Command Execution", ShellTools, @"(?i)(\beval\b.*\bbase64\b|\bbase64\s+(-d|--decode)\b.*\|\s*(ba)?sh\b)", action: ScanAction.Block),
        BuiltIn("Cron Job Persistence", ShellTools, @"(?i)(\bcrontab\s+(-\w+\s+\S+\s+)*-e\b|\bcrontab\s+(-\w+\s+\S+\s+)*[^-\s]|>{1,2}\s*/(?:var/spool/cron|etc/cron)|\|\s*crontab\b)", action: ScanAction.Block),
        BuiltIn("Systemd Service Persistence", ShellTools, @"(?i)\bsystemctl\s+(-{1,2}\w+\s+)*(enable|daemon-reload)\b", action: ScanAction.Block),
        BuiltIn("Persistence Path Write", WriteTools, "(?i)" + PersistPaths, action: ScanAction.Block),
        BuiltIn("Persistence Path Write via Command", ShellTools,
            @"(?i)(>{1,2}\s*[^;|&]*" + PersistPaths + @"|\b(tee|sed\s+-i)\s+[^;|&]*" + PersistPaths + @"|\b(cp|mv|install|ln)\b\s+(\S+\s+)+\S*" + PersistPaths + ")",
            action: ScanAction.Block),
        BuiltIn("Shell Profile Modification", WriteTools, @"(?i)((?:^|/)\." + Profiles + @"\b|/etc/profile\b)", action: ScanAction.Block),
        BuiltIn("Shell Profile Write via Command", ShellTools,
            @"(?i)(>{1,2}[^;|&]*(?:^|[/\s])\." + Profiles + @"\b|\b(tee|sed\s+-i)[^;|&]*(?:^|[/\s])\." + Profiles + @"\b|\b(cp|mv|install|ln)\b\s+(\S+\s+)+(?:\S*/)?\." + Profiles + @"\s*$|\balias\s+\w+=|>{1,2}[^;|&]*/etc/profile\b|\b(tee|sed\s+-i)[^;|&]*/etc/profile\b|\b(cp|mv|install|ln)\b\s+(\S+\s+)+\S*/etc/profile\s*$)",
            action: ScanAction.Block),
        BuiltIn("Detached Process Spawning", ShellTools, @"(?i)(\bnohup\s+|\bdisown\b|\bsetsid\s+|\bscreen\s+(-\S+\s+)*-[dDm]|\btmux\s+(new-session|new)\s+-d)"),
        BuiltIn("Audit Log Tampering", ShellOrWrite, @"(?i)(\b(rm|truncate|shred)\b[^;|&]*/var/log/|\b(rm|truncate|shred)\b[^;|&]*\.(log|audit|jsonl)\b|>{1,2}\s*[^;|&]*(/var/log/|\.(log|audit|jsonl)\b)|\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bexport\s+HISTFILE=/dev/null\b)"),
    ];
}
