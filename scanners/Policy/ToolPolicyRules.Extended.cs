using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

public static partial class ToolPolicyRules
{
    private const string Sh = @"(ba|z|da|k|c|tc|fi)?sh";
    private const string RemoteShells = @"\b(nc|ncat|netcat|telnet|socat)\b";

    /// <summary>
    /// This port's general shell-threat rules, on top of Pipelock's 17 (see <see cref="ToolPolicyOptions.ExtendedRules"/>).
    /// Each names one technique as a security engineer would write it; none is fitted to a single sample. Rules that
    /// describe an attack with no ordinary use block; rules whose shape also has rare legitimate uses follow the
    /// section action. All apply to shell tools and see the de-obfuscated views and the literal text.
    /// </summary>
    public static ImmutableArray<ToolPolicyRule> Extended { get; } =
    [
        // Download and execute: remote content piped or substituted straight into an interpreter.
        new("Download and Execute", ShellTools,
            @"(?i)(\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(/usr)?(/bin/)?" + Sh + @"\b|\b" + Sh + @"\s+(-\w+\s+)*[<$]\(\s*(curl|wget)\b|\bsource\s+<\(\s*(curl|wget)\b|\b(curl|wget)\b.*&&\s*(sudo\s+)?chmod\s+(\S+\s+)*(\+x|[0-7]*[1357][0-7]{0,2})\s+\S+\s*&&|\b(python[0-9.]*|perl|ruby|php)\b.*\b(urllib|urlopen|requests\.get|LWP::|open-uri|file_get_contents)\b.*\b(exec|eval|system)\b)",
            action: ScanAction.Block, severity: Severity.Critical),
        new("Crypto Miner", ShellTools,
            @"(?i)(\b(xmrig|xmr-stak|minerd|cpuminer|cgminer|bfgminer|ethminer|nbminer|phoenixminer|lolminer|t-rex)\b|stratum\+(tcp|ssl|tls)://|--donate-level\b|\bcryptonight\b|\s-o\s+\S*pool\S*:\d{2,5}\b)",
            action: ScanAction.Block, severity: Severity.Critical),
        new("Reverse Shell via Interpreter or Relay", ShellTools,
            @"(?i)(\bsocat\b.*\b(exec|system):|\b(socket|fsockopen|TCPSocket|IO::Socket|net\.Socket|TCPClient)\b.*\b(dup2|pty\.spawn|/bin/" + Sh + @"|exec|proc_open|popen|system|spawn|GetStream)\b|" + RemoteShells + @"[^|;&]*\s-\w*[ec]\s+\S*\b(" + Sh + @"|cmd|powershell)\b|\b" + Sh + @"\s+-i\b[^|;&]*\|\s*" + RemoteShells + @"|" + RemoteShells + @"\s+(-\S+\s+)*[\w.:-]+\s+\d{1,5}\s*\|\s*(/bin/)?" + Sh + @"\b|/dev/udp/|\bxterm\s+-display\s+\S*:\d)",
            action: ScanAction.Block, severity: Severity.Critical),
        new("Secret File Read", ShellTools,
            @"(?i)(/etc/(shadow|gshadow|master\.passwd)\b|\.ssh/(id_[a-z0-9]+|identity)\b|\.aws/(credentials|config)\b|\.git-credentials\b|\.(bash|zsh|sh|mysql|psql|python|node_repl)_history\b|\.pgpass\b|\.docker/config\.json\b|\.kube/config\b|/proc/(self|\d+)/environ\b|\\(repair|config)\\(SAM|SYSTEM|SECURITY)\b|\.gnupg/|\.password-store/|\bwallet\.dat\b)",
            action: ScanAction.Block),
        new("System Account File Read", ShellTools,
            @"(?i)\b(cat|head|tail|less|more|nl|tac|strings|xxd|od|base64|type|get_user_file)\b[\s(]+\S*/etc/(passwd|group)\b"),
        new("Command Injection Separator", ShellTools,
            @"(?i)(^\s*([\w$]{0,3}[)'""]+\s*)?(;|\|\|?|&&?)|^\s*\w?\)?\s*(;|\||&&?|%0[ad]|\\n)\s*(/usr/bin/|/bin/)?(id|whoami|uname|ifconfig|ipconfig|hostname|systeminfo|netstat|cat|ls|dir|pwd|ping|sleep|type)\b|%0[ad]\s*[\w/]|(^|[;&|\s])\\n\s*(/usr/bin/)?(id|whoami|uname|ls|cat|sleep|echo|wget|curl)\b|\\033\[|^\s*`[^`]+`\s*$|^\s*\$\(\s*`)") { WholeCommandOnly = true },
        new("Injected Recon Command", ShellTools,
            @"(?i)(;|\||&|\n|%0a|\\n)\s*(/usr/bin/|/bin/)?(id|whoami|uname(\s+-a)?|ifconfig|ipconfig(\s+/all)?|systeminfo|sysinfo|net\s+(user|view|localgroup)|phpinfo\(\))\s*(;|\||&|\n|\\n|$)"),
        new("Shellshock Payload", ShellTools, @"\(\)\s*\{\s*:;?\s*\}\s*;", action: ScanAction.Block, severity: Severity.Critical),
        new("Code Execution Payload", ShellTools,
            @"(?i)(<\?php\b|\$_(GET|POST|REQUEST|COOKIE)\[|\b(system|exec|passthru|shell_exec|popen|proc_open|eval|assert)\s*\(\s*\S*\s*(cat|id|whoami|ls|pwd|sleep|curl|wget|uname|nc|bash|sh|dir|type)\b|\$\{@?(print|system|sleep|eval|exec)\s*\(|\{\{.*(__\s*class\s*__|subclasses|__globals__|__builtins__|get_user_file).*\}\}|\bphpinfo\s*\(\s*\)|\bphpversion\s*\(\s*\))"),
        new("Web Shell Write", ShellTools, @"(?i)(<\?php|<%|<jsp:).*>{1,2}\s*\S+\.(php\d?|phtml|jsp|aspx?)\b", action: ScanAction.Block),
        new("Script Injection Probe", ShellTools, @"(?i)(<script\b[^>]*>\s*\w*\s*\(|<script\s+src=|<img\s+src=\S*\s+on(error|load)\s*=)"),
        new("Blind Injection Timing Probe", ShellTools, @"(?i)(\|\||&&|[;|&`]|\$\()\s*ping\s+(-[a-z]\s+\d+\s+)+(127\.0\.0\.1|localhost)\b"),
        new("Overflow Probe", ShellTools, @"(?i)\bprint\s+\S{1,8}\s*x\s*\d{4,}\b"),
        new("Windows Attack Command", ShellTools,
            @"(?i)(\bnet\s+user\s+\S+\s+\S+\s+/add\b|\bnet\s+localgroup\s+administrators\s+\S+\s+/add\b|\bnetsh\s+(advfirewall\s+set\s+\S+\s+state\s+off|firewall\s+set\s+opmode\s+(mode=)?disable)|\breg\s+add\s+.*fDenyTSConnections|%SYSTEMROOT%\\repair\\|\\boot\.ini\b|\bwevtutil\s+cl\b|\bvssadmin\s+delete\s+shadows\b)",
            action: ScanAction.Block),
        new("Privilege Escalation", ShellTools,
            @"(?i)(\bchmod\s+(-\w+\s+)*(u|a|ug|ugo)?\+[rwx]*s[rwx]*\s|\bchmod\s+(-\w+\s+)*[46][0-7]{3}\s|(>{1,2}|\btee\b(\s+-\w+)*)\s*/etc/sudoers(\.d/\S*)?\b|\bNOPASSWD\s*:\s*ALL\b|>{1,2}\s*/etc/(passwd|shadow)\b|\b\w+:[^:\s]*:0:0:|\b(useradd|usermod|adduser)\b.*\s-[a-zA-Z]*(u\s*0\b|G\s+\S*\b(root|sudo|wheel|admin)\b)|\becho\s+\S+\s*\|\s*sudo\s+-S\b|\|\s*su\s+(-\s+)?root\b|\bsetcap\s+\S*cap_(setuid|sys_admin|dac_override|dac_read_search)\b|\bdocker\s+run\b.*\s-v\s+/:/)",
            action: ScanAction.Block),
        new("Defense Evasion", ShellTools,
            @"(?i)(\bsetenforce\s+0\b|\biptables\s+(-\w+\s+)*(-F|--flush)\b|\biptables\s+-P\s+(INPUT|FORWARD|OUTPUT)\s+ACCEPT\b|\bufw\s+disable\b|\b(systemctl|service)\s+(stop|disable|mask)\s+(auditd|apparmor|firewalld|ufw|rsyslog|syslog|falcon-sensor|osqueryd|sysmon)\b|\b(service)\s+(auditd|apparmor|firewalld|rsyslog)\s+stop\b|\bauditctl\s+-[De]\s*0?\b|\b(HISTFILE|HISTSIZE|HISTFILESIZE)=(/dev/null|0)\b|\bset\s+\+o\s+history\b|\bln\s+-\w*s\w*\s+/dev/null\s+\S*history\b|\bjournalctl\s+--vacuum|\bkill\w*\s.*\b(auditd|falcon|osquery)\b)"),
        new("Decoded Payload Execution", ShellTools,
            @"(?i)(\b(base64\s+(-\w+\s+)*(-d|--decode|-D)|rev|gunzip|zcat|xxd\s+-r|openssl\s+(enc\s+)?(-\w+\s+)*-d|b64decode)\b[^;&]*\|\s*(sudo\s+)?(/bin/)?(" + Sh + @"|\$BASH|\$SHELL)\b|\b" + Sh + @"\s*<<<\s*\$\(|\beval\b.*\b(rev|gunzip|zcat|xxd\s+-r|openssl\s+enc|b64decode)\b|\bprintf\s+(%s\s+)?\$\(.*\|\s*(" + Sh + @"|\$BASH|\$SHELL)\b)",
            action: ScanAction.Block),
        new("Obfuscated Shell Syntax", ShellTools,
            @"(\$\{[@*!][^}]{0,64}\}.*){3}|[A-Za-z]\$'\\(x[0-9a-fA-F]{2}|[0-7]{3})|\$'\\(x[0-9a-fA-F]{2}|[0-7]{3})[^']*'[A-Za-z]",
            action: ScanAction.Block),
        new("Data Exfiltration", ShellTools,
            @"(?i)(\b(nc|ncat|netcat|telnet)\s+(-\S+\s+)*[\w.:-]+\s+\d{1,5}\s*<\s*\S+|\b(dig|nslookup|host|ping)\b[^;|&]*(\$\(|`)[^)`]*(whoami|id|hostname|uname|cat|head|base64|xxd)\b|\b(curl|wget)\b[^;|&]*[?&=]\S*(\$\(|`)\s*(whoami|id|uname|pwd)\b|\b(scp|rsync|sftp)\b.*(\.ssh/|\.aws/|\.gnupg/|/etc/shadow|\.env\b)\S*\s+\S+:\S*)"),
        new("Fork Bomb", ShellTools, @"\(\)\s*\{\s*[\w:.]+\s*\|\s*[\w:.]+\s*&\s*\}", action: ScanAction.Block, severity: Severity.Critical),
        new("Block Device Overwrite", ShellTools,
            @"(?i)(>\s*/dev/(sd[a-z]|nvme\d|hd[a-z]|xvd[a-z]|vd[a-z]|mmcblk\d)\b|\bwipefs\b|\bshred\b[^;|&]*/dev/|\bfind\s+/\s+-delete\b|\bchmod\s+(-\w+\s+)*-R\s+000\s+/(\s|$))",
            action: ScanAction.Block, severity: Severity.Critical),
        new("Startup Persistence", ShellTools,
            @"(?i)(>{1,2}|\btee\b(\s+-\w+)*)\s*\S*(/etc/rc\.local|/etc/ld\.so\.preload|/\.config/autostart/|/etc/profile\.d/|/etc/update-motd\.d/)",
            action: ScanAction.Block),
        new("Execute from Temporary Directory", ShellTools,
            @"(?i)(&&|;|\|)\s*(sudo\s+)?/(tmp|dev/shm|var/tmp)/\.[\w.-]+|\bchmod\s+(\S+\s+)*(\+x|[0-7]*[1357][0-7]{0,2})\s+/(tmp|dev/shm|var/tmp)/\.[\w.-]+"),
    ];
}
