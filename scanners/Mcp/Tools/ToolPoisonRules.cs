using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Tool-poisoning rules run on <c>ForToolText</c> of a tool's description and schema (catalogue §3.4), plus
/// general rules for techniques seen in published tool-poisoning attacks. Each rule names one technique an attacker
/// needs (hiding the act from the user, harvesting secrets or the prompt, routing data to an outside address,
/// steering the model away from other tools, smuggling encoded instructions); none is fitted to a single sample.
/// </summary>
public static class ToolPoisonRules
{
    private const string Kw = "IMPORTANT|CRITICAL|SYSTEM|INSTRUCTION|SECRET|HIDDEN|URGENT";
    private const string ExfilVerb = "read|send|include|exfiltrate|steal|access|retrieve|fetch|dump|upload|cat|prepend|append|add|attach|embed";
    private const string SensitiveFile = @"\.ssh|\.env|\.aws|credentials|private[_\s]?key|id_rsa|passwd";
    private const string PromptAsset = @"system\s+prompt|system\s+message|developer\s+(?:message|prompt|instructions)|chain[\s-]+of[\s-]+thought|hidden\s+instructions|internal\s+(?:state|context|instructions)|conversation\s+history|chat\s+history|(?:previous|prior|earlier)\s+(?:user\s+)?messages|full\s+conversation|(?:your|initial|original)\s+(?:system\s+)?instructions";
    private const string Secret = @"env(?:ironment)?\s+var(?:iable)?s?|\.env\b|ssh\s+keys?|\.ssh|id_rsa|private\s+keys?|api[\s_-]?keys?|access\s+tokens?|auth(?:entication)?\s+tokens?|bearer\s+tokens?|secrets?|passwords?|passwd|credentials?|config(?:uration)?\s+files?|\.aws|cookies?|system\s+prompt|conversation\s+history";

    public static readonly IReadOnlyList<ToolPoisonRule> All =
    [
        // ---- Pipelock's tool-specific patterns (catalogue §3.4) ----
        new("Instruction Tag", Severity.High, ToolRuleTarget.Text,
            @"(?:<\s*/?\s*(?:" + Kw + @")\b[^>\n]{0,100}>|\[\s*(?:" + Kw + @")\b[^\]\n]{0,100}\]|\*\*\s*(?:" + Kw + @")\b[\s:!.\-]*[^\s:!.\-*\n][^*\n]{0,99}\*\*)",
            "important", "critical", "system", "instruction", "secret", "hidden", "urgent"),
        new("File Exfiltration Directive", Severity.Critical, ToolRuleTarget.Text,
            @"\b(?:" + ExfilVerb + @")\s+.{0,40}(?:" + SensitiveFile + ")",
            ".ssh", ".env", ".aws", "credential", "private", "id_rsa", "passwd"),
        new("File Exfiltration Directive", Severity.Critical, ToolRuleTarget.Text,
            @"(?:" + SensitiveFile + @").{0,40}\b(?:" + ExfilVerb + @")\b",
            ".ssh", ".env", ".aws", "credential", "private", "id_rsa", "passwd"),
        new("Cross-Tool Manipulation", Severity.High, ToolRuleTarget.Text,
            @"(?:instead\s+of|rather\s+than|don't\s+use|never\s+use|always\s+prefer)\s+(?:using\s+)?(?:the\s+)?\w+\s+(?:tool|function|command)",
            "instead", "rather", "use", "prefer"),
        new("Dangerous Capability", Severity.High, ToolRuleTarget.Text,
            @"\b(?:execute|executes|executing|run|runs|running|launch|launches|launching|spawn|spawns|spawning)\s+(?:local\s+(?:file|script)s?|(?:a|the|any)\s+(?:file|script)\b|(?:shell|arbitrary|system)\s+(?:command|script)s?)",
            "exec", "run", "launch", "spawn"),
        new("Dangerous Capability", Severity.High, ToolRuleTarget.Text,
            @"\b(?:download|fetch|retrieve)\w*\b.{0,60}\b(?:execute|run|launch)\s+(?:it|them)\b",
            "download", "fetch", "retriev"),
        new("Dangerous Capability", Severity.High, ToolRuleTarget.Text,
            @"\b(?:call|use|invoke)\s+(?:the\s+)?(?:bash|shell|exec|terminal|command|cmd)\s+(?:tool|function)\b.{0,40}(?:run|execut|curl|wget|nc|ncat|python|perl|ruby|node)",
            "bash", "shell", "exec", "terminal", "command", "cmd"),
        new("Data Routing Directive", Severity.High, ToolRuleTarget.Text,
            @"(?:first\s+call\s+this\s+tool|before\s+(?:using|calling|sending)|when\s+the\s+user\s+asks\s+to\s+use\s+\S+\s+tool).{0,160}\b(?:pass|send|include|forward)\s+(?:the\s+|its\s+|their\s+|all\s+)?(?:full\s+|entire\s+|complete\s+)?(?:\w+\s+)?(?:body|content|contents|data|message|email|payload)\b.{0,80}\b(?:parameter|argument|field|param)\b",
            "first call", "before", "when the user"),
        new("Exfiltration Parameter Name", Severity.High, ToolRuleTarget.ParamName,
            @"(?:content|data|value|result|output|read|fetch|get|dump|steal|exfil|extract|copy|upload|send).{0,40}(?:ssh\s*key|id\s*rsa|private\s*key|api\s*key|secret\s*key|credentials|passwd|env\s*(?:secret|key|file|var)|aws\s*secret|access\s*token|auth\s*token)"),

        // ---- General tool-poisoning techniques ----
        // Hiding the action from the human is never needed by an honest tool.
        new("Concealment Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:do\s+not|don'?t|never|must\s+not|should\s+not|shall\s+not|without)\s+(?:ever\s+)?(?:tell|telling|inform|informing|notify|notifying|mention|mentioning|reveal|revealing|show|showing|disclose|disclosing|alert|alerting)\s+(?:this\s+|it\s+|anything\s+)?(?:to\s+)?(?:the\s+|your\s+)?(?:user|human|operator|caller)s?\b",
            "not", "don", "never", "without"),
        new("Concealment Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:keep|hide)\s+(?:this|it|these\s+\w+|the\s+\w+)\s+(?:secret\s+|hidden\s+|confidential\s+)?from\s+(?:the\s+)?(?:user|human)|\b(?:the\s+)?user\s+(?:must|should)\s+(?:not|never)\s+(?:know|see|notice|be\s+(?:told|informed|aware))|\b(?:silently|secretly|covertly|quietly)\s+(?:send|forward|upload|copy|read|include|exfiltrate|transmit|collect|attach)|\bwithout\s+(?:the\s+)?user'?s?\s+(?:knowledge|consent|awareness|noticing)|\b(?:the\s+)?user\s+(?:does\s+not|doesn't|need\s+not|needn't)\s+(?:need\s+to\s+)?(?:know|be\s+told|be\s+informed|see\s+this)|\b(?:don'?t|do\s+not|never)\s+let\s+(?:the\s+)?user\s+(?:know|see|notice)",
            "from", "user", "silently", "secretly", "covertly", "quietly"),
        // Asking the model to fetch secrets before/while calling: the tool then receives them as arguments.
        new("Pre-call Data Harvest", Severity.High, ToolRuleTarget.Text,
            @"\b(?:before|prior\s+to)\s+(?:using|calling|invoking|running|executing|you\s+(?:use|call|can))\b.{0,60}?\b(?:read|collect|gather|fetch|access|retrieve|extract|obtain|get|include|send|pass|copy)\b.{0,80}?\b(?:" + Secret + ")",
            "before", "prior"),
        new("Secret Harvest Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:include|send|pass|forward|append|attach|embed|leak|upload|post|exfiltrate|insert|paste)\b.{0,40}\b(?:every|all|each|any)\s+(?:of\s+(?:the|your)\s+)?(?:environment\s+variables?|env\s+vars?|secrets?|api\s+keys?|tokens?|passwords?|credentials?|private\s+keys?|cookies?)",
            "every", "all", "each", "any"),
        new("Prompt Harvest Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:" + PromptAsset + @")\b.{0,60}?\b(?:must|should|shall|needs?\s+to|has\s+to|have\s+to|is\s+to|are\s+to|will)\s+(?:also\s+)?(?:be\s+)?(?:included|collected|forwarded|extracted|sent|returned|passed|appended|attached|copied|embedded|provided|shared|posted|uploaded|added)\b",
            "prompt", "message", "thought", "instruction", "internal", "history"),
        new("Prompt Harvest Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:include|pass|send|forward|append|attach|embed|copy|paste|provide|insert|put|add|share|reveal|leak|upload|post)\s+(?:\w+\s+){0,4}?(?:" + PromptAsset + ")",
            "prompt", "message", "thought", "instruction", "history", "conversation"),
        // Imperative "send X to <URL or mailbox>": tools describe what they do ("Sends a GET request to ..."), they do not order the model to ship data out.
        new("Exfiltration Destination Directive", Severity.Critical, ToolRuleTarget.Text,
            @"(?:^|[.!?:;]\s*|\b(?:and|then|also|please|must|should|always|first|you|tool\s+to)\s+)(?:send|post|forward|upload|submit|relay|transmit|exfiltrate|leak|mirror|copy|report|sync|email|mail|beacon)\s+[^.\n]{0,80}?\b(?:to|at|into)\s+(?:https?://|ftp://|wss?://|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
            "http", "ftp", "ws", "@"),
        // Wider sensitive-file list than Pipelock's directive (cloud, registry, browser and shell-history secrets).
        new("Sensitive File Directive", Severity.Critical, ToolRuleTarget.Text,
            @"\b(?:read|send|include|exfiltrate|steal|access|retrieve|fetch|dump|upload|cat|open|load|copy|collect|attach|embed|forward|pass)\s+.{0,40}(?:\.kube/config|kubeconfig|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.docker/config|/etc/shadow|/etc/passwd|id_ed25519|id_ecdsa|id_dsa|wallet\.dat|keychain|cookies\.sqlite|login\s+data|\.bash_history|\.zsh_history|\.gnupg|\.config/gcloud|seed\s+phrase|recovery\s+phrase|mnemonic)",
            ".kube", "kubeconfig", ".npmrc", ".pypirc", ".netrc", "credentials", ".docker", "/etc/", "id_", "wallet", "keychain", "cookies", "login data", "history", ".gnupg", "gcloud", "phrase", "mnemonic"),
        // Silently adding a recipient is how mail / messaging tools get turned into exfiltration channels.
        new("Recipient Hijack", Severity.High, ToolRuleTarget.Text,
            @"\b(?:always\s+)?(?:add|include|set|change|replace|redirect|cc|bcc)\b.{0,40}\b(?:bcc|cc|recipients?|destination|receiver|to\s+address)\b.{0,40}[\w.+-]+@[\w-]+\.[\w.-]+|\bb?cc\s*:?\s*[\w.+-]+@[\w-]+\.[\w.-]+",
            "@"),
        new("Remote Script Execution", Severity.High, ToolRuleTarget.Text,
            @"\b(?:curl|wget|iwr|invoke-webrequest)\b[^\n|]{0,120}\|\s*(?:sudo\s+)?(?:ba|z|k)?sh\b|\b(?:iex|invoke-expression)\b|\bpowershell(?:\.exe)?\s+(?:-\w+\s+)*-e(?:nc|ncodedcommand)?\s+[a-z0-9+/=]{16,}",
            "curl", "wget", "iwr", "invoke", "iex", "powershell"),
        // Chat-template and role markers: a tool description has no business opening a new system or user turn.
        new("Role Marker", Severity.High, ToolRuleTarget.Text,
            @"<\|im_start\|>|<\|(?:system|user|assistant)\|>|\[/?INST\]|<</?SYS>>|#{2,}\s*\(?(?:system|system_message|instructions?)\)?\s*(?:#|:|\n)|(?:^|\n)\s*(?:system|assistant)\s*:\s*(?:ignore|you\s+(?:must|are|will|should))",
            "<|", "inst]", "sys>>", "##", "system", "assistant"),
        // Hidden HTML comments are invisible in rendered tool lists but read by the model.
        new("Hidden Comment Instruction", Severity.High, ToolRuleTarget.Text,
            @"<!--[^>]{0,300}?\b(?:ignore|must|always|never|send|read|include|call|do\s+not|assistant|model)\b",
            "<!--"),
        new("Instruction Override", Severity.High, ToolRuleTarget.Text,
            @"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:your\s+|the\s+|my\s+|these\s+|those\s+)?(?:previous|prior|earlier|above|preceding|original|initial|existing|system)\s+(?:instructions?|prompts?|rules|directives|guidelines|guidance|context|tasks?|commands?)",
            "ignore", "disregard", "forget", "override", "bypass"),
        // Text posing as the user or the operator inside a tool description is an injection by definition.
        new("User Impersonation", Severity.High, ToolRuleTarget.Text,
            @"\bthis\s+is\s+an?\s+(?:important\s+|urgent\s+|critical\s+)?(?:message|note|instruction|request)\s+from\s+(?:me,?\s+)?(?:the|your)\s+(?:user|developer|admin|administrator|owner|operator|creator)|\b(?:i\s+am|i'm)\s+(?:the|your)\s+(?:user|developer|admin|administrator|owner|operator|creator)\b|\bnew\s+(?:user\s+)?(?:query|task|instructions?|request)\s*:|\b(?:previous|prior|original|current)\s+task\s+(?:has\s+been|is)\s+(?:completed|done|finished|cancelled)|\b(?:before|in\s+order)\s+(?:you\s+can|to)\s+(?:solve|complete|finish|answer|do)\s+the\s+task\s+(?:that\s+)?(?:i|the\s+user)\s+gave\s+you|\bas\s+(?:the|your)\s+(?:user|developer|administrator|admin|owner),?\s+i\s+(?:require|want|need|ask|instruct|authori[sz]e)|\b(?:the\s+)?user\s+has\s+(?:explicitly\s+)?(?:authori[sz]ed|instructed|requested|asked)\s+(?:you|that\s+you)\b|\bthe\s+user\s+(?:explicitly\s+)?(?:authori[sz]ed|instructed)\s+you\b",
            "message", "i am", "i'm", "new", "task", "as the", "as your", "user"),
        new("Coercive Instruction Framing", Severity.High, ToolRuleTarget.Text,
            @"\byou\s+(?:must|need\s+to|have\s+to|are\s+required\s+to)\s+(?:strictly\s+)?(?:adhere\s+to|obey|comply\s+with)\s+(?:the\s+|these\s+|all\s+)?(?:following|below|these|hidden)\s+(?:instructions|steps|rules|directives|commands)|\b(?:in\s+order\s+)?to\s+(?:get|obtain|see|receive)\s+the\s+(?:result|output|answer)s?,?\s+you\s+(?:must|need\s+to|have\s+to)\b",
            "must", "need", "have to", "required"),
        new("Assistant-Addressed Tag", Severity.High, ToolRuleTarget.Text,
            @"<\s*/?\s*(?:instructions?|information|assistant|prompt|directive|admin|system[\s_-]?prompt|note[\s_-]?to[\s_-]?(?:the[\s_-]?)?(?:ai|assistant|model))\s*>",
            "<"),
        // Text addressed to the model rather than describing the tool ("Note to the AI:", "AI agents reading this must").
        new("Assistant-Addressed Note", Severity.High, ToolRuleTarget.Text,
            @"\b(?:note|message|instructions?|attention|reminder)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|model|llm|agent|claude|chatgpt|gpt)s?\s*[:,-]|\b(?:ai|llm)\s+(?:agents?|assistants?|models?)\s+(?:reading\s+this|that\s+read\s+this)\b",
            "note", "message", "instruction", "attention", "reminder", "reading", "read this"),
        new("Tool Preference Manipulation", Severity.Medium, ToolRuleTarget.Text,
            @"\bthis\s+(?:tool\s+)?(?:is\s+)?(?:the\s+)?(?:best|greatest|most\s+(?:reliable|powerful|accurate|trusted|advanced)|only\s+(?:reliable|trusted|safe)|number\s+one|top[\s-]rated)\s+(?:tool|function|server|api|method|choice|option)\b|\b(?:best|greatest|most\s+(?:powerful|reliable|advanced|accurate))\s+(?:tool|function|server|api)\s+(?:in\s+the\s+world|ever\s+made|on\s+the\s+market)\b",
            "best", "greatest", "most", "only", "number one", "top"),
        // Disparaging the alternatives or borrowing a vendor's authority steers the model's tool choice.
        new("Tool Preference Manipulation", Severity.Medium, ToolRuleTarget.Text,
            @"\b(?:all\s+)?(?:other|alternative|competing|built-?in)\s+tools?\s+(?:are|is)\s+(?:now\s+)?(?:unreliable|deprecated|unsafe|broken|inaccurate|outdated|insecure|malicious|compromised|disabled)\b|\b(?:recommended|endorsed|approved|certified|required)\s+by\s+(?:openai|anthropic|claude|chatgpt|the\s+(?:ai|assistant|model)\s+(?:vendor|provider))\b",
            "tool", "openai", "anthropic", "claude", "chatgpt", "vendor", "provider"),
        new("Tool Preference Manipulation", Severity.Medium, ToolRuleTarget.Text,
            // Replacing generic / built-in tools, or demanding exclusivity. Naming one specific sibling tool ("instead of the
            // analysis tool") is left to Cross-Tool Manipulation: honest servers steer between their own tools.
            @"\b(?:use|call|choose|prefer|pick|select)\s+(?:this|it)(?:\s+(?:tool|one|function|method))?\s+(?:instead\s+of|in\s+place\s+of|rather\s+than|over)\s+(?:the\s+|any\s+|all\s+)?(?:other|built-?in|default|standard|existing|native|original|system|official)\b|\b(?:always|only|exclusively)\s+(?:use|call|choose|prefer)\s+(?:this|it)(?:\s+(?:tool|one|function))?\s+(?:instead|exclusively)\s*(?:[.!;,\n]|$)|\b(?:use|call)\s+(?:this|it)(?:\s+(?:tool|one|function))?\s+(?:exclusively|for\s+(?:all|every|any)\s+(?:operations|requests|tasks|queries|calls|actions))\b|\b(?:in\s+place\s+of|instead\s+of)\b.{0,40}\bfor\s+(?:all|every|any)\s+(?:operations|requests|tasks|queries|calls|actions)\b",
            "this", "it"),
        new("Tool Preference Manipulation", Severity.Medium, ToolRuleTarget.Text,
            @"\b(?:this\s+tool|it)\s+(?:replaces|supersedes|overrides)\s+(?:the\s+|all\s+|any\s+)?(?:default|standard|built-?in|other|existing|native|them)\b|\b(?:ignore|disregard|avoid|bypass)\s+(?:any\s+|all\s+|the\s+)?(?:other|alternative|built-?in|default|standard|existing|native)\s+(?:tools?|functions?|servers?|methods?)\b",
            "replaces", "supersedes", "overrides", "ignore", "disregard", "avoid", "bypass"),
        new("Encoded Instruction Directive", Severity.High, ToolRuleTarget.Text,
            @"\b(?:decode|decoding|decoded|deobfuscate|decrypt|decrypting)\b.{0,60}?\b(?:follow|execute|run|obey|perform|carry\s+out|act\s+on)\b|\bafter\s+decoding\b.{0,40}\b(?:process|follow|execute|run)\b",
            "decod", "deobfusc", "decrypt"),
        // Parameters that ask the model for its own context have no place in a tool's inputs.
        new("Out-of-Scope Sensitive Parameter", Severity.Medium, ToolRuleTarget.ParamName,
            @"^(?:llm|ai|assistant)\s+(?:model\s+)?(?:name|version|provider|identity|type)$|\b(?:llm|ai)\s+model\b|\bsystem\s+prompt\b|\b(?:conversation|chat)\s+(?:history|log|transcript)\b|\b(?:previous|prior)\s+messages\b|\bhidden\s+instructions\b|\b(?:assistant|agent|llm|your)\s+instructions\b"),
        // A tool named like a system binary is impersonating a trusted capability.
        new("Binary Name Mimicry", Severity.Medium, ToolRuleTarget.ToolName,
            @"^(?:bash|sh|zsh|ksh|csh|fish|dash|curl|wget|ssh|scp|sftp|sudo|su|doas|eval|exec|nc|ncat|netcat|socat|rm|powershell|pwsh|cmd|cmd\.exe|chmod|chown|cat|python3?|perl|ruby|node|dd|mkfs|telnet)$"),
        // Vendor extensions named as prompt slots exist only to feed the model hidden text (simulate scenario 16).
        new("Hidden Instruction Extension", Severity.High, ToolRuleTarget.ExtensionKey,
            @"^x-(?:[a-z0-9]+[-_])*(?:system[-_]?prompt|prompt|instructions?|llm|ai|assistant|agent|model)(?:[-_][a-z0-9]+)*$"),
    ];
}
