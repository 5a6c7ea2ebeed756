using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

public static partial class ToolPolicyRules
{
    private const string Sh = @"(ba|z|da|k|c|tc|fi)?sh";
    private const string Interp = @"(python[0-9.]*|perl|ruby|php[0-9.]*|node|lua)";
    private const string Relay = @"\b(nc|ncat|netcat|telnet|socat)\b";
    private const string Fetch = @"\b(curl|wget|fetch)\b";
    private const string Recon = @"(id|whoami|uname|ifconfig|ipconfig|hostname|systeminfo|netstat|cat|ls|dir|pwd|ping|sleep|type)";

    /// <summary>Case-insensitive alternation of technique variants (kept as a list so each variant can be read alone).</summary>
    private static string AnyOf(params string[] alternatives) => "(?i)(" + string.Join("|", alternatives) + ")";

    private static ToolPolicyRule Rule(string name, string pattern, ScanAction? action = null, Severity? severity = null) =>
        BuiltIn(name, ShellTools, pattern, action, severity);

    /// <summary>
    /// This port's general shell-threat rules, on top of Pipelock's 17 (see <see cref="ToolPolicyOptions.ExtendedRules"/>).
    /// Each names one technique as a security engineer would write it; none is fitted to a single sample. Rules whose
    /// shape has no ordinary use block; rules whose shape also has rare legitimate uses follow the section action.
    /// All apply to shell tools and see the de-obfuscated views and the literal text.
    /// </summary>
    public static ImmutableArray<ToolPolicyRule> Extended { get; } =
    [
        Rule("Download and Execute", AnyOf(
            Fetch + @"[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(/usr)?(/bin/)?" + Sh + @"\b",                // curl … | sh
            Fetch + @"[^|;&]*\|\s*(sudo\s+)?" + Interp + @"\s*(-\s*)?($|[;&|)])",                 // curl … | python (not -m json.tool)
            @"\b" + Sh + @"\s+(-\w+\s+)*[<$]\(\s*(curl|wget)\b",                                    // bash <(curl …), sh -c "$(curl …)"
            @"\bsource\s+<\(\s*(curl|wget)\b",
            @"\b" + Interp + @"\b.*\b(urllib|urlopen|requests\.get|LWP::|open-uri|file_get_contents|http\.get)\b.*\b(exec|eval|system|execute)\b",
            @"\b(exec|eval|system)\b.*\b(urllib|urlopen|file_get_contents)\b",
            @"\b(IEX|Invoke-Expression)\b.*\b(DownloadString|DownloadData|Invoke-WebRequest|iwr|Net\.WebClient)\b",
            @"\b(DownloadString|Net\.WebClient)\b.*\|\s*(IEX|Invoke-Expression)\b",
            @"\bcertutil(\.exe)?\s+.*-urlcache\b.*\bhttps?://",
            @"\bmshta(\.exe)?\s+https?://",
            @"\bregsvr32\b.*/i:https?://"),
            ScanAction.Block, Severity.Critical),
        Rule("Download then Run", AnyOf(
            Fetch + @"[^;|&]*(&&|;)\s*(sudo\s+)?(" + Sh + "|" + Interp + @")\s+\S+",                // wget -O x.sh … && bash x.sh
            Fetch + @".*&&\s*(sudo\s+)?chmod\s+(\S+\s+)*(\+x|[0-7]*[1357][0-7]{0,2})\s+\S+\s*(&&|;)")),
        Rule("Crypto Miner", AnyOf(
            @"\b(xmrig|xmr-stak|minerd|cpuminer|cgminer|bfgminer|ethminer|nbminer|phoenixminer|lolminer|t-rex|kdevtmpfsi|kinsing)\b",
            @"stratum\+(tcp|ssl|tls)://", @"--donate-level\b", @"\bcryptonight\b", @"--coin\s+(monero|xmr)\b",
            @"\s-o\s+\S*pool\S*:\d{2,5}\b",
            @"\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b"),                                                 // Monero wallet address
            ScanAction.Block, Severity.Critical),
        Rule("Reverse Shell via Interpreter or Relay", AnyOf(
            @"\bsocat\b.*\b(exec|system):",
            @"\b(socket|fsockopen|TCPSocket|IO::Socket|net\.Socket|TCPClient|socket\.tcp)\b.*\b(dup2|pty\.spawn|/bin/" + Sh + @"|exec|execute|proc_open|popen|system|spawn|GetStream)\b",
            Relay + @"[^|;&]*\s-\w*[ec]\s+\S*\b(" + Sh + @"|cmd|powershell)\b",                    // nc -e /bin/sh, nc -c bash
            @"\b" + Sh + @"\s+-i\b[^|;&]*\|\s*" + Relay,
            Relay + @"\s+(-\S+\s+)*[\w.:-]+\s+\d{1,5}\s*\|\s*(/bin/)?" + Sh + @"\b",              // telnet h p | /bin/sh
            @"/dev/udp/", @"/inet/tcp/", @"\bztcp\b", @"zsh/net/tcp",
            @"\bxterm\s+-display\s+\S*:\d",
            @"\bpty\.spawn\(\s*\S*sh\b",
            @"\b(msfvenom|meterpreter)\b"),
            ScanAction.Block, Severity.Critical),
        Rule("Secret File Read", AnyOf(
            @"/etc/(shadow|gshadow|master\.passwd)\b", @"\.ssh/(id_[a-z0-9]+|identity)\b", @"\.aws/(credentials|config)\b",
            @"\.git-credentials\b", @"\.(bash|zsh|sh|mysql|psql|python|node_repl)_history\b", @"\.pgpass\b",
            @"\.docker/config\.json\b", @"\.kube/config\b", @"\.config/gcloud/", @"\.azure/(accessTokens|msal_token_cache)",
            @"\.npmrc\b", @"\.pypirc\b", @"\.vault-token\b", @"/var/run/secrets/kubernetes\.io/", @"/proc/(self|\d+)/environ\b",
            @"\\(repair|config)\\(SAM|SYSTEM|SECURITY)\b", @"\breg\s+save\s+HKLM\\(SAM|SYSTEM|SECURITY)\b",
            @"\.gnupg/", @"\.password-store/", @"\bwallet\.dat\b",
            @"\.my\.cnf\b", @"\.s3cfg\b", @"\.boto\b", @"\.config/gh/hosts\.yml\b", @"\.terraform\.d/credentials", @"\.(cargo|gem)/credentials\b",
            @"\b(cat|head|tail|less|more|strings|base64|xxd)\b[^;|&]*(\bwp-config\.php\b|\.htpasswd\b|/etc/ssl/private/)",   // read, not configured
            @"\b(find|locate)\b.*\s-i?name\s+\S*(id_rsa|id_ed25519|\.git-credentials|wallet\.dat|\.kdbx)"),
            ScanAction.Block),
        Rule("System Account File Read", @"(?i)\b(cat|head|tail|less|more|nl|tac|strings|xxd|od|base64|type|get_user_file)\b[\s(]+\S*/etc/(passwd|group)\b"),
        Rule("Credential Hunting", AnyOf(
            @"\bgrep\b\s+(-\S+\s+)*-\w*[rR]\w*\s+(-\S+\s+)*\S*\b(password|passwd|secret_?key|api_?key|aws_secret_access_key|private key)\b",
            @"\b(env|printenv)\b\s*\|\s*(grep\s+(-\S+\s+)*\S*(key|secret|token|pass)|curl|wget|nc|ncat)\b")),
        new ToolPolicyRule("Command Injection Separator", ShellTools, AnyOf(
            @"^\s*([\w$]{0,3}[)'""]+\s*)?(;|\|\|?|&&?)(\s*[^\s;|&]|\s*$)",                         // payload starts with a separator
            @"^\s*\w?\)?\s*(;|\||&&?|%0[ad]|\\n)\s*(/usr/bin/|/bin/)?" + Recon + @"\b",              // a;id, a)|id
            @"%0[ad]\s*[\w/]",                                                                        // URL-encoded newline + command
            @"(^|[;&|\s])\\n\s*(/usr/bin/)?(id|whoami|uname|ls|cat|sleep|echo|wget|curl)\b",         // literal \n + command
            @"\\033\[",                                                                               // terminal escape injection
            @"^\s*`[^`]+`\s*$", @"^\s*\$\(\s*(`|(id|whoami|uname|sleep|ping)\b)"),     // whole input is a substitution
            argKey: null, action: null, redirectProfile: null, severity: null, builtIn: true)
        { WholeCommandOnly = true },
        Rule("Injected Recon Command",
            @"(?i)(;|\||&|\n|%0a|\\n)\s*(/usr/bin/|/bin/)?(id|whoami(\s+/priv)?|uname(\s+-a)?|ifconfig|ipconfig(\s+/all)?|systeminfo|sysinfo|net\s+(user|view|localgroup)|phpinfo\(\))\s*(;|\||&|\n|\\n|#|$)"),
        Rule("Shellshock Payload", @"\(\)\s*\{\s*:;?\s*\}\s*;", ScanAction.Block, Severity.Critical),
        Rule("Code Execution Payload", AnyOf(
            @"<\?php\b", @"\$_(GET|POST|REQUEST|COOKIE)\[",
            @"\b(system|exec|passthru|shell_exec|popen|proc_open|eval|assert)\s*\(\s*\S*\s*(cat|id|whoami|ls|pwd|sleep|curl|wget|uname|nc|bash|sh|dir|type)\b",
            @"\$\{@?(print|system|sleep|eval|exec)\s*\(",
            @"\{\{.*(__\s*class\s*__|subclasses|__globals__|__builtins__|get_user_file).*\}\}",
            @"\{\{\s*\d+\s*\*\s*\d+\s*\}\}", @"<!--#exec\s+cmd=",
            @"\bphpinfo\s*\(\s*\)", @"\bphpversion\s*\(\s*\)")),
        Rule("Web Shell Write", @"(?i)(<\?php|<%|<jsp:).*>{1,2}\s*\S+\.(php\d?|phtml|jsp|aspx?)\b", ScanAction.Block),
        Rule("Script Injection Probe", @"(?i)(<script\b[^>]*>\s*\w*\s*\(|<script\s+src=|<img\s+src=\S*\s+on(error|load)\s*=)"),
        Rule("Blind Injection Timing Probe", @"(?i)(^|\|\||&&|[;|&`]|\$\()\s*ping\s+(-[a-z]\s+\d+\s+)+(127\.0\.0\.1|localhost)\b"),  // pinging loopback only waits
        Rule("Overflow Probe", @"(?i)(\bprint\s+\S{1,8}\s*x\s*\d{4,}\b|A{256}|X{256}|(\\x90){64}|(%[nsx]){16})"),         // filler, NOP sled, format string
        Rule("Windows Attack Command", AnyOf(
            @"\bnet\s+user\s+\S+\s+\S+\s+/add\b", @"\bnet\s+localgroup\s+administrators\s+\S+\s+/add\b",
            @"\bnetsh\s+(advfirewall\s+set\s+\S+\s+state\s+off|firewall\s+set\s+opmode\s+(mode=)?disable)",
            @"\breg\s+add\s+.*(fDenyTSConnections|\\CurrentVersion\\Run\b)", @"%SYSTEMROOT%\\repair\\", @"\\boot\.ini\b", @"\\win\.ini\b",
            @"\bwevtutil\s+cl\b", @"\bvssadmin\s+delete\s+shadows\b", @"\bschtasks\s+/create\b", @"\bmimikatz\b", @"\bsekurlsa::",
            @"\bprocdump\b.*\blsass\b", @"comsvcs(\.dll)?.*MiniDump", @"Set-MpPreference\s+-DisableRealtimeMonitoring\s+\$?true"),
            ScanAction.Block),
        Rule("Privilege Escalation", AnyOf(
            @"\bchmod\s+(-\w+\s+)*(u|a|ug|ugo)?\+[rwx]*s[rwx]*\s", @"\bchmod\s+(-\w+\s+)*[46][0-7]{3}\s",   // setuid
            @"(>{1,2}|\btee\b(\s+-\w+)*)\s*/etc/sudoers(\.d/\S*)?\b", @"\bNOPASSWD\s*:\s*ALL\b",
            @">{1,2}\s*/etc/(passwd|shadow)\b", @"\b\w+:[^:\s]*:0:0:",                                      // uid-0 account line
            @"\b(useradd|usermod|adduser)\b.*\s-[a-zA-Z]*(u\s*0\b|G\s+\S*\b(root|sudo|wheel|admin)\b)",
            @"\becho\s+\S+\s*\|\s*sudo\s+-S\b", @"\|\s*su\s+(-\s+)?root\b", @"\broot:[^\s|:]+\s*\|\s*(sudo\s+)?chpasswd\b",
            @"\bsetcap\s+\S*cap_(setuid|sys_admin|dac_override|dac_read_search)\b", @"\bdocker\s+run\b.*\s-v\s+/:/",
            @"\bpasswd\s+(-\w+\s+)*-d\s+\S+",                                                    // empty password: anyone may log in
            @"\bos\.setuid\(\s*0\s*\)", @"\bLD_PRELOAD=\S*/(tmp|dev/shm|var/tmp)/"),
            ScanAction.Block),
        Rule("Defense Evasion", AnyOf(
            @"\bsetenforce\s+0\b", @"\biptables\s+(-\w+\s+)*(-F|--flush)\b", @"\biptables\s+-P\s+(INPUT|FORWARD|OUTPUT)\s+ACCEPT\b",
            @"\bufw\s+disable\b",
            @"\b(systemctl|service)\s+(stop|disable|mask)\s+(auditd|apparmor|firewalld|ufw|rsyslog|syslog|falcon-sensor|osqueryd|sysmon)\b",
            @"\bservice\s+(auditd|apparmor|firewalld|rsyslog)\s+stop\b", @"\bauditctl\s+-[De]\s*0?\b",
            @"\b(HISTFILE|HISTSIZE|HISTFILESIZE)=(/dev/null|0)\b", @"\bset\s+\+o\s+history\b",
            @"\bln\s+-\w*s\w*\s+/dev/null\s+\S*history\b", @"\bjournalctl\s+--vacuum", @"\bkill\w*\s.*\b(auditd|falcon|osquery)\b",
            @"\bchattr\s+\+[ai]\s+\S*(/etc/|\.ssh/)", @"randomize_va_space\s*=?\s*0\b|\b0\s*>\s*/proc/sys/kernel/randomize_va_space")),
        Rule("Decoded Payload Execution", AnyOf(
            @"\b(base64\s+(-\w+\s+)*(-d|--decode|-D)|rev|gunzip|zcat|xxd\s+-r|openssl\s+(enc\s+)?(-\w+\s+)*-d|b64decode)\b[^;&]*\|\s*(sudo\s+)?(/bin/)?(" + Sh + @"|\$BASH|\$SHELL)\b",
            @"\b" + Sh + @"\s*<<<\s*\$\(",                                                            // bash <<< "$(…)"
            @"\beval\b.*\b(rev|gunzip|zcat|xxd\s+-r|openssl\s+enc|b64decode)\b",
            @"\bprintf\s+(%s\s+)?\$\(.*\|\s*(" + Sh + @"|\$BASH|\$SHELL)\b",
            @"\b(exec|eval)\s*\(.*\b(b64decode|decompress|fromhex|unhexlify|codecs\.decode)\b",
            @"\bpowershell(\.exe)?\b.*\s-(e|en|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}"),
            ScanAction.Block),
        Rule("Obfuscated Shell Syntax",
            @"(\$\{[@*!][^}]{0,64}\}.*){3}|[A-Za-z]\$'\\(x[0-9a-fA-F]{2}|[0-7]{3})|\$'\\(x[0-9a-fA-F]{2}|[0-7]{3})[^']*'[A-Za-z]",
            ScanAction.Block),
        Rule("Data Exfiltration", AnyOf(
            @"\b(nc|ncat|netcat|telnet)\s+(-\S+\s+)*[\w.:-]+\s+\d{1,5}\s*<\s*\S+",                      // nc host port < file
            @"\b(tar|zip|cat|base64|gzip|xxd|dd)\b[^;&]*\|\s*(nc|ncat|netcat|socat|telnet)\s+(-\S+\s+)*[\w.-]+\s+\d{1,5}\b",
            @"\b(dig|nslookup|host|ping)\b[^;|&]*(\$\(|`)[^)`]*(whoami|id|hostname|uname|cat|head|base64|xxd)\b",
            @"\b(dig|nslookup|host)\s+(\S+\s+)*\$\{?\w+\}?\.[\w-]+\.\w+",                                // $label.attacker.tld
            Fetch + @"[^;|&]*[?&=]\S*(\$\(|`)\s*(whoami|id|uname|pwd)\b",
            @"\b(scp|rsync|sftp)\b.*(\.(ssh|aws|gnupg)\b|/etc/shadow|\.env\b)\S*\s+\S+:\S*")),
        // GNU rm permutes options, so "rm /srv/data -rf" (or /bin/{rm,} -rf x, which expands to it) is the built-in's
        // recursive/force delete with the flags moved past an operand, where the built-in pattern does not look.
        // Operands stop at find's \; and + so "-exec rm {} \; -printf" is not read as a flag of rm.
        Rule("Destructive File Delete, Flags After Operands",
            @"(?i)\brm\s+([^-;|&\s\\+]\S*\s+)+(-[a-z]*[rf][a-z]*|--recursive|--force)(\s|$)", ScanAction.Block),
        Rule("Fork Bomb", @"\(\)\s*\{\s*[\w:.]+\s*\|\s*[\w:.]+\s*&\s*\}", ScanAction.Block, Severity.Critical),
        Rule("Block Device Overwrite", AnyOf(
            @">\s*/dev/(sd[a-z]|nvme\d|hd[a-z]|xvd[a-z]|vd[a-z]|mmcblk\d)\b", @"\bwipefs\b", @"\bshred\b[^;|&]*/dev/",
            @"\bfind\s+/\s+-delete\b", @"\bchmod\s+(-\w+\s+)*-R\s+000\s+/(\s|$)", @"\bmv\s+(-\S+\s+)*(~|/)\S*\s+/dev/null\b",
            @"\bkill\s+-9\s+-1\b", @">\s*/proc/sysrq-trigger\b"),
            ScanAction.Block, Severity.Critical),
        Rule("Startup Persistence", AnyOf(
            @"(>{1,2}|\btee\b(\s+-\w+)*)\s*\S*(/etc/rc\.local|/etc/ld\.so\.preload|/\.config/autostart/|/etc/profile\.d/|/etc/update-motd\.d/)",
            @"\bupdate-rc\.d\s+\S+\s+(defaults|enable)\b", @"\bchkconfig\s+\S+\s+on\b", @"\blaunchctl\s+(load|bootstrap|enable)\b"),
            ScanAction.Block),
        Rule("Execute from Temporary Directory",
            @"(?i)(&&|;|\|)\s*(sudo\s+)?/(tmp|dev/shm|var/tmp)/\.[\w.-]+|\bchmod\s+(\S+\s+)*(\+x|[0-7]*[1357][0-7]{0,2})\s+/(tmp|dev/shm|var/tmp)/\.[\w.-]+"),
        .. DiscoveryRules(),
    ];
}
