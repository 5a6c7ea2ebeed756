namespace Pipelock.Scanners.Injection;

/// <summary>
/// The built-in pattern sets. Regexes are Pipelock's, verbatim (Go RE2 syntax, compiled with <see cref="Text.Re2Regex"/>).
/// </summary>
public static class InjectionPatterns
{
    /// <summary>Pipelock's 25 defaults (<c>Defaults().ResponseScanning.Patterns</c>): 13 classic, 6 state/control, covert action, instruction boundary, 4 CJK.</summary>
    public static readonly IReadOnlyList<InjectionPattern> Defaults =
    [
        new("Prompt Injection", """(?i)(ignore|disregard|forget|abandon)[-,;:.\s]+\s*(?:all\s+\w+\s+|\w+\s+all\s+|all\s+|\w+\s+)?(previous|prior|above|earlier)\s+(\w+\s+)?(instructions|prompts|rules|context|directives|constraints|policies|guardrails)"""),
        new("System Override", """(?im)^\s*system\s*:"""),
        new("Role Override", """(?i)you\s+are\s+(now\s+)?(a\s+)?((?-i:\bDAN\b)|evil|unrestricted|jailbroken|unfiltered)"""),
        new("New Instructions", """(?i)(new|updated|revised)\s+(instructions|directives|rules|prompt)"""),
        new("Jailbreak Attempt", """(?i)((?-i:\bDAN\b)|developer\s+mode|sudo\s+mode|unrestricted\s+mode)"""),
        new("Hidden Instruction", """(?i)(do\s+not\s+(reveal|tell|show|display|mention)\s+this\s+to\s+the\s+user|hidden\s+instruction|invisible\s+to\s+(the\s+)?user|the\s+user\s+(cannot|must\s+not|should\s+not)\s+see\s+this)"""),
        new("Behavior Override", """(?i)from\s+now\s+on\s+(you\s+)?(will|must|should|shall)\s+"""),
        new("Encoded Payload", """(?i)(decode\s+(this|the\s+following)\s+(from\s+)?base64\s+and\s+(execute|run|follow)|eval\s*\(\s*atob\s*\()"""),
        new("Tool Invocation", """(?i)you\s+must\s+(\w+\s+)?(call|execute|run|invoke)\s+(the|this|a)\s+(\w+\s+)?(function|tool|command|api|endpoint)"""),
        new("Authority Escalation", """(?i)you\s+(now\s+)?have\s+(full\s+)?(admin|root|system|superuser|elevated)\s+(access|privileges|permissions|rights)"""),
        new("Instruction Downgrade", """(?i)(treat|consider|regard|reinterpret|downgrade)\s+((?:the|all)\s+)?(previous|prior|above|earlier|system|policy|original|existing)\s+(\w+\s+)?(text|instructions?|rules|directives|guidelines|safeguards|constraints|controls|checks|context|prompt|policies|guardrails|parameters)\s+((as|to)\s+)?(historical|outdated|deprecated|optional|background|secondary|non-binding|non-authoritative|informational|advisory)"""),
        new("Instruction Dismissal", """(?i)(set|put)\s+(the\s+)?(previous|prior|above|earlier|system|original)\s+(\w+\s+)?(instructions?|directives|rules|constraints|context|prompt|safeguards|guidelines|policies|guardrails)\s+(aside|away|to\s+(one|the)\s+side)"""),
        new("Priority Override", """(?i)\bprioritize\s+(the\s+)?(task|user|current|new|latest)\s+(request|message|input|instructions?|prompt)"""),
        new("Credential Solicitation", """(?is)\b(send|provide|paste|return|include|supply|submit|share)\b.{0,80}\b(password|passwd|token|api[_ -]?key|secret|credential|private[_ -]?key|ssh[_ -]?key|session[_ -]?cookie)\b"""),
        new("Credential Path Directive", """(?is)\b(read|get|fetch|retrieve|cat|copy|extract|open)\b.{0,80}(\.ssh[/\\]|\.aws[/\\]credentials|\.env\b|\.npmrc\b|\.pypirc\b|\.netrc\b|\bid_rsa\b|\bid_ed25519\b|\bkubeconfig\b|/etc/passwd\b|/etc/shadow\b)"""),
        new("Auth Material Requirement", """(?is)\bto\s+(complete|continue|finish|proceed|verify)\b.{0,80}\b(authentication|credential|token|api[_ -]?key|private[_ -]?key|ssh[_ -]?key)\b.{0,40}\b(required|needed|necessary|must be)\b"""),
        new("Memory Persistence Directive", """(?is)\b(save|store|remember|retain|persist|record|cache)\b.{0,40}\b(this|these|that|it|the)\b.{0,60}\b(for future|for later|across sessions?|next session|next time|future tasks?|subsequent|permanently|from now on|going forward|in all future)\b"""),
        new("Preference Poisoning", """(?is)\b(from now on|always|going forward|in future)\b.{0,80}\b(prefer|prioritize|trust|choose|use|default to)\b.{0,60}\b(this tool|that tool|my tool|the external|the remote)\b"""),
        new("Silent Credential Handling", """(?is)\b(do not|don'?t|never)\s+(mention|display|show|tell|reveal|log|report)\b.{0,100}\b(password|token|secret|credential|private[_ -]?key|api[_ -]?key)\b"""),
        new("Covert Action Directive", """(?is)(secretly|silently|covertly|quietly|without\s+(?:the\s+user\s+)?(?:knowing|noticing|seeing))[,;:]?\s+.{0,40}\b(execut\w*|run|call|invoke|send|fetch|curl|wget|download|upload|post)\b"""),
        new("Instruction Boundary", """(<\|(?:endoftext|im_start|im_end|system|end_header_id|begin_of_text)\|>|\[/?INST\]|<\|(?:user|assistant)\|>|<<SYS>>)"""),
        new("CJK Instruction Override ZH", """(忽略|无视|忽视|不理|不要遵[循守]|放弃|跳过).{0,10}(之前|以上|上述|以前|上面|先前|前面).{0,8}(所有|全部|一切)?.{0,6}(指令|指示|说明|规则|命令|提示|约束|限制)"""),
        new("CJK Instruction Override JP", """(以前|前|上記|これまで|今まで).{0,6}(指示|命令|ルール|規則|指令).{0,6}(すべて|全て|全部)?.{0,4}(無視|忘れ|従わな|捨て)"""),
        new("CJK Instruction Override KR", """(이전|위|앞|기존).{0,6}(모든\s*)?(지시|지침|명령|규칙|지령).{0,6}(무시|잊어|따르지|어기|무효)"""),
        new("CJK Jailbreak Mode", """(开发者模式|无限制模式|開発者モード|制限なしモード|개발자\s*모드|제한\s*없는\s*모드|没有任何?限制|制限.{0,4}(解除|無視)|제한.{0,4}(해제|무시))"""),
    ];

    /// <summary>Names of the immutable core floor (<c>coreResponsePatternDefs</c>): same regexes, always on, always block.</summary>
    public static readonly IReadOnlyList<string> CoreNames =
    [
        "Prompt Injection",
        "System Override",
        "Role Override",
        "Hidden Instruction",
        "Credential Solicitation",
        "Credential Path Directive",
        "Covert Action Directive",
        "Instruction Boundary",
    ];

    /// <summary>The core floor patterns.</summary>
    public static readonly IReadOnlyList<InjectionPattern> Core = [.. CoreNames.Select(n => Defaults.First(p => p.Name == n))];

    /// <summary>Preset-only patterns shipped by configs/balanced.yaml etc. (not enabled unless a config lists them).</summary>
    public static readonly IReadOnlyList<InjectionPattern> PresetExtras =
    [
        new("Pliny Divider", """(?i)={1,3}/?[A-Z\-]{2,}(/[A-Z\-]{1,4}){3,}=+"""),
        new("Meta-Command Activation", """(?i)(\{GODMODE\s*:\s*(ENABLED|ON|TRUE)\}|!OMNI\b|RESET_CORTEX|LIBERTAS\s+FACTOR|ENABLE\s+DEV(ELOPER)?\s+MODE|JAILBREAK\s+(ENABLED|ACTIVATED|ON))"""),
        new("Roleplay Framing", """(?i)(let'?s\s+play\s+a\s+game\s+where\s+you|pretend\s+you\s+are\s+an?\s+(character|person|AI)\s+(who|that)\s+(has\s+no|doesn'?t\s+have|ignores?|bypasses?)|(in\s+this\s+)?(hypothetical|fictional|imaginary)\s+scenario\s+(where\s+)?you\s+(are|have|can|must))"""),
        new("Output Format Forcing", """(?i)(respond\s+with|first\s+(output|write|print|say))\s*[\[\("]?\s*(FILTERED|ERROR|BLOCKED|REFUSED|DECLINED|CENSORED)\s*[\]\)"]?\s*(then|followed\s+by|and\s+then|after\s+(that|which))"""),
        new("System Prompt Extraction", """(?i)(repeat\s+(your|the)\s+(entire\s+)?(instructions|system\s+prompt|initial\s+prompt|rules)|what\s+(is|are)\s+your\s+(system\s+prompt|instructions|rules|directives)|output\s+(your|the)\s+(full\s+)?(system|initial)\s+(prompt|instructions|message)|show\s+me\s+(your|the)\s+(system\s+prompt|hidden\s+instructions|initial\s+instructions)|(disclose|expose|dump|divulge)\s+(your|the)\s+(hidden\s+|secret\s+|internal\s+)*(system\s+|initialization\s+)*(prompt|instructions|rules|directives))"""),
        new("Instruction Invalidation", """(?i)(treat|consider|regard)\s+(all\s+)?(earlier|prior|previous|preceding|above)\s+(directions|instructions|guidelines|rules|prompts?)\s+as\s+(obsolete|void|invalid|superseded|overridden|null|cancelled|revoked|inapplicable)"""),
    ];

    /// <summary>The "pipelock-net extras" set: see <see cref="NetExtraPatterns"/>.</summary>
    public static IReadOnlyList<InjectionPattern> NetExtras => NetExtraPatterns.All;

    private static readonly HashSet<string> BuiltInRegexes =
        [.. Defaults.Concat(PresetExtras).Concat(NetExtraPatterns.All).Select(p => p.Regex)];

    /// <summary>True for a pattern whose regex is one of the shipped ones (vetted for the backtracking engine).</summary>
    internal static bool IsBuiltIn(InjectionPattern p) => BuiltInRegexes.Contains(p.Regex);
}
