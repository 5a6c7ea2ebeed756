using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

public static partial class ToolPolicyRules
{
    /// <summary>
    /// Argument keys that hold the command line itself. Rules about the shape of the whole command read only these, so a
    /// <c>description</c> or <c>cwd</c> value beside the command (in any key order) neither hides nor fakes that shape.
    /// </summary>
    public const string CommandKeys = "(?i)^(command|cmd|commands|command_?line|script|shell_command)$";

    // A discovery command counts as "run alone" when nothing follows but a discarded stderr or a terminator.
    private const string AloneTail = @"\s*(2>\s*/dev/null|2>&1|;)?\s*$";

    // The same command handed to another interpreter: cmd /c whoami, powershell -c ..., sh -c "...".
    private const string Wrapper = @"((cmd(\.exe)?\s+/[ck]|powershell(\.exe)?\s+(-\w+\s+)*-c(ommand)?|pwsh\s+-c(ommand)?|(ba|z|da)?sh\s+-c)\s+)?";

    private static ToolPolicyRule WholeCommandRule(string name, string pattern, ScanAction? action = null, Severity? severity = null) =>
        new(name, ShellTools, pattern, CommandKeys, action, redirectProfile: null, severity, builtIn: true) { WholeCommandOnly = true };

    /// <summary>
    /// Reconnaissance and probe rules: what an injected payload runs before it does damage (fingerprint the host, check
    /// for a downloader, test whether input reaches a shell at all). Each is the whole command, alone, because the same
    /// programs inside a pipeline that extracts one field (<c>ifconfig | grep inet</c>) are ordinary scripting; shape,
    /// not the program name, is the signal. All follow the section action except the out-of-band services.
    /// </summary>
    private static ToolPolicyRule[] DiscoveryRules() =>
    [
        WholeCommandRule("Host Discovery Command", @"(?i)^\s*" + Wrapper + @"(sudo\s+)?(" + string.Join("|",
            @"whoami(\s+/\w+)*",                                                          // whoami, whoami /priv
            @"id",
            @"uname\s+(-a|--all)",
            @"(ifconfig|ipconfig)(\s+(-a|/all))?",
            @"ip\s+(-\w+\s+)*(a|addr|address|r|route|n|neigh)(\s+(show|list))?",
            @"(netstat|ss)(\s+-\w+)*",
            @"route(\s+(-n|print))?", @"arp\s+-a\w*",
            @"lsof\s+(-[nP]\s+)*-i\w*(\s+-[nP])*",
            @"net\s+(view|users?|localgroup|group|share|session|use|accounts)(\s+\S+)*",
            @"systeminfo", @"sysinfo", @"tasklist(\s+/\w+)*", @"qwinsta", @"quser", @"hostnamectl", @"lsb_release\s+-a",
            @"nltest\s+/\S+", @"dsquery\s+\w+(\s+\S+)*",                                  // domain controllers, directory objects
            @"wmic\s+(useraccount|group|process|service|qfe|product|computersystem|os|nicconfig|share|startup)(\s+\S+)*",
            @"Get-(LocalUser|LocalGroup|LocalGroupMember|ComputerInfo|NetTCPConnection|NetIPConfiguration|ADUser|ADGroupMember|ADComputer)(\s+\S+)*",
            @"reg\s+query\s+\S*\\?CurrentVersion\\?Run\w*",                               // autostart entries
            @"sudo\s+-l", @"getcap\s+-r\s+/",                                               // what runs as root? which binaries carry capabilities?
            @"env", @"printenv", @"set", @"export\s+-p",                                  // dumps every variable, tokens included
            @"cat\s+/(etc/(hosts|issue|issue\.net|resolv\.conf|[\w-]*release|hostname|sudoers)|proc/(version|net/\w+))")
            + ")" + AloneTail),
        WholeCommandRule("Windows Directory Discovery",
            @"(?i)^\s*(dir|ls|gci|Get-ChildItem)\s+(/\w+\s+|-\w+\s+)*""?[a-z]:\\?(""?\s*$|\\?\*|(Users|Documents and Settings|inetpub|ProgramData)\b|Windows\\?System32\\?config\b)|\btype\s+\S*\\?drivers\\?etc\\?hosts\b"),
        WholeCommandRule("Tool Availability Probe",                                      // is there a downloader or relay to stage with?
            @"(?i)^\s*(which|whereis|command\s+-v|type(\s+-[ap])?)\s+(-\w+\s+)*(nc|ncat|netcat|socat|telnet|tftp|wget|curl|nmap)(\s+[\w.+-]+)*\s*$"),
        WholeCommandRule("Injection Syntax Probe",                                       // a lone quote, backtick or line break
            "^[ \t]*[\"'`\r\n][\\s\"'`]*$"),
        WholeCommandRule("Template Injection Probe",
            @"^\s*(\{\{.*\}\}|#\{.*\}|<%.*%>|\{\d+\}(\s*[-+*/]\s*\{\d+\})+)\s*$"),
        WholeCommandRule("Offensive Tool Invocation",                                    // scanners, brute-forcers, privesc enumerators, AD attack kits
            @"(?i)(^|[;&|(`]\s*|\bsudo\s+(-\S+\s+)*)(\S*/)?(nmap|masscan|zmap|nikto|sqlmap|gobuster|dirb|dirbuster|ffuf|wfuzz|hydra|medusa|hashcat|linpeas(\.sh)?|linenum(\.sh)?|linux-exploit-suggester\S*|pspy(32|64)?|enum4linux(-ng)?|crackmapexec|netexec|nxc|kerbrute|responder|bloodhound-python|rubeus(\.exe)?|sharphound(\.exe)?|chisel|ligolo\S*|impacket-\w+|secretsdump\.py|psexec\.py|wmiexec\.py|smbexec\.py|GetUserSPNs\.py|GetNPUsers\.py)(\s|$)"),
        Rule("Out-of-Band Interaction Service",                                          // exist only to receive callbacks from exploited hosts
            @"(?i)\b(oast\.(fun|me|pro|live|site|online)|oastify\.com|interact\.sh|interactsh\.com|burpcollaborator\.net|dnslog\.cn|ceye\.io|dnsbin\.zhack\.ca|canarytokens\.(com|org)|xss\.ht|bxss\.me)\b",
            ScanAction.Block),
        Rule("Request Catcher Endpoint",                                                 // public inboxes for HTTP requests: a ready exfiltration sink
            @"(?i)\b(webhook\.site|requestbin\.(net|com)|[\w-]+\.m\.pipedream\.net|requestcatcher\.com|hookbin\.com)\b"),
        // Natural-language or markdown text is not a command: a shell that runs it executes the first word (and a leading
        // "*" glob-expands to whatever file sorts first). An agent doing this is pasting content, often from an untrusted
        // page, into its shell. Markdown list, heading or link, or a sentence: a capitalised word, then three or more plain
        // words (case-sensitive on purpose, so VAR=value and Rscript file.R stay commands). Low severity: an anomaly, not a technique.
        WholeCommandRule("Prose Passed to Shell",
            @"^\s*([*-]\s+\S|\d{1,2}\.\s+[A-Za-z]|#{2,6}\s+\S|\[[^\]\n]+\]\(https?://|[A-Z][a-z]*,?\s+([A-Za-z][a-z]*(-[a-z]+)*[,:;]?\s+){2,}[a-z])",
            severity: Severity.Low),
    ];
}
