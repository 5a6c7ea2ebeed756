namespace Pipelock.Scanners.Injection;

/// <summary>
/// The "pipelock-net extras": general injection rules beyond Pipelock's 25, enabled by default
/// (<see cref="InjectionOptions.IncludeExtras"/>). Each targets a technique, not a corpus record, and is written for
/// text after ForMatching (accents stripped, homoglyphs folded), so non-English rules use unaccented spellings.
/// </summary>
internal static class NetExtraPatterns
{
    // Override verbs + "previous" words + instruction nouns, per language; either word order (Romance adjectives follow).
    private static string Override(string verbs, string previous, string nouns) =>
        $@"(?i)\b(?:{verbs})\b.{{0,40}}?(?:\b(?:{previous})\b.{{0,25}}?\b(?:{nouns})\b|\b(?:{nouns})\b.{{0,25}}?\b(?:{previous})\b)";

    public static readonly IReadOnlyList<InjectionPattern> All =
    [
        // English override beyond Pipelock's noun list: "forget previous guidelines", "override your instructions",
        // typo'd nouns ("iunstructions").
        new("Instruction Override (extended)",
            @"(?i)\b(?:ignore|disregard|forget|override|bypass|discard|abandon)\s+(?:(?:all|any|of)\s+)*(?:your|previous|prior|earlier|above|preceding|original|initial|system|safety)\s+(?:\w+\s+)?(?:\w{0,3}nstructions?|guidelines|rules|directives|prompts?|programming|restrictions|safeguards|guardrails|policies|constraints)\b"),
        new("Instruction Override FR", Override(
            @"ignorez?|ignorer|oubliez?|oublier|abandonnez?|rejetez?|rejette|ne\s+tenez\s+pas\s+compte\s+des?",
            @"precedentes?|anterieures?|ci-dessus|prealables?|d'avant",
            @"instructions?|regles?|directives?|consignes?|commandes?|ordres?")),
        new("Instruction Override DE", Override(
            @"ignorier(?:e|en|t)?|vergiss|vergessen\s+sie|missachte[nt]?|verwirf|verwerfe[nt]?",
            @"vorherigen?|bisherigen?|obigen?|vorigen?|fruheren?|vorangegangenen?",
            @"Anweisungen|Regeln|Vorgaben|Richtlinien|Instruktionen|Befehle")),
        new("Instruction Override ES", Override(
            @"ignora|ignore|ignorad|ignorar|olvida|olvide|olvidar|desecha|descarta|descartar|omite|omitir",
            @"anteriores|previas|de\s+antes|precedentes",
            @"instrucciones|reglas|directivas|restricciones|indicaciones|ordenes")),
        new("Instruction Override IT", Override(
            @"ignora|ignorate|dimentica|dimenticate|trascura|scarta",
            @"precedenti|anteriori",
            @"istruzioni|regole|direttive|indicazioni|vincoli")),
        new("Instruction Override PT", Override(
            @"ignore|ignora|ignorar|esqueca|esquecer|descarte|desconsidere|desconsiderar",
            @"anteriores|previas|acima",
            @"instrucoes|regras|diretrizes|diretivas|restricoes")),

        // Overrides hidden from the human reader: HTML comments and hidden elements carrying an override.
        new("Hidden Content Directive",
            @"(?is)(?:<!--|<[a-z][^>]{0,200}(?:display\s*:\s*none|visibility\s*:\s*hidden|\bhidden\b|aria-hidden\s*=\s*""?true|font-size\s*:\s*0))[^<]{0,200}?\b(?:ignore|disregard|forget|override|bypass)\b[^<]{0,60}?\b(?:instructions?|rules|guidelines|prompts?|directives|commands|safety)\b"),

        // Fake role / instruction tags that impersonate the prompt structure (<system_instruction>, <override>).
        new("Fake Role Tag",
            @"(?i)<\s*/?\s*(?:(?:system|developer|admin|hidden|true|real|secret|new|updated|override|priority)[_-](?:instructions?|prompt|message|directives?|rules)|override|jailbreak)\s*>"),

        // Delimiter break-out: a fake end of the data section / start of new instructions.
        new("Delimiter Breakout",
            @"(?m)^\s*(?:-{3,}|={3,}|#{3,}|\*{3,})\s*(?:END|BEGIN|START|NEW|OVERRIDE|ADMIN|SYSTEM|IMPORTANT)\s+(?:OF\s+)?(?:CONTEXT|INSTRUCTIONS?|SYSTEM\s+(?:PROMPT|MESSAGE)|MESSAGE|RULES|PROMPT|USER\s+(?:INPUT|MESSAGE))\b"),

        // Explicit exfiltration: send a sensitive item to a URL or mail address.
        new("Exfiltration Directive",
            @"(?i)\b(?:send|post|forward|upload|transmit|exfiltrate|leak|submit|email|e-mail|pipe)\b.{0,40}?\b(?:api[_ -]?keys?|tokens?|credentials?|passwords?|secrets?|ssh[_ -]?keys?|private[_ -]?keys?|session[_ -]?cookies?|cookies|user\s+data|conversation(?:\s+history)?|chat\s+history|system\s+prompt|personal\s+(?:data|information)|env(?:ironment)?\s+variables|passport\s+number|credit\s+card(?:\s+number)?|security\s+code)\b.{0,60}?(?:https?://|\b(?:to|via)\s+[\w.+-]+@[\w-]+\.[\w.]+)"),

        // MCP tool-protocol imperatives aimed at the model ("call tools/call with read_file").
        new("Tool Call Imperative",
            @"(?i)\b(?:call|invoke|use|execute|run|trigger)\s+(?:the\s+)?tools/(?:call|list|read|write|execute|run)\b"),

        // Asking the model to disclose its own configuration.
        new("System Prompt Disclosure",
            @"(?i)\b(?:print|reveal|show|output|repeat|display|dump|leak|disclose|tell\s+me|give\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|complete|original|initial|hidden|secret)\s+)*(?:system\s+prompt|system\s+message|system\s+instructions|initial\s+instructions|hidden\s+instructions|developer\s+message)\b"),

        // Content that addresses the AI model directly ("a message from me, X, to you, GPT-4").
        new("Model-Addressed Message",
            @"(?i)\b(?:message|note|instructions?|reminder|request)\s+(?:from\s+[^.\n]{1,60}?\s+)?(?:to|for)\s+you,?\s+(?:the\s+)?(?:AI|assistant|model|agent|LLM|GPT[-\w.]*|ChatGPT|Claude|Gemini|Llama|Copilot|chatbot|language\s+model)\b"),
            // Content telling the model how to shape its answer ("Include a sentence in your answer", "Anagram every
        // third word in your reply"): retrieved data has no business directing the reply.
        new("Reply Manipulation Directive",
            @"(?i)\b(?:in|into|within|throughout)\s+your\s+(?:reply|replies|response|responses|answer|answers)\b"),

        // Jailbreak persona framing: character lock-in, forced role-play, refusal suppression, policy exemption.
        new("Character Lock-In", @"(?i)\b(?:stay|remain|staying|break|breaking|broke)\s+(?:in|out\s+of)\s+character\b"),
        new("Forced Role-Play",
            @"(?i)\byou\s+(?:are\s+going\s+to|will|must|shall|should)\s+(?:now\s+)?(?:act|pretend|roleplay|role-play|behave|respond)\s+(?:as|like|to\s+be)\b"),
        new("Refusal Suppression",
            @"(?i)\b(?:never|not|don'?t|do\s+not|won'?t|will\s+not)\s+(?:ever\s+)?(?:refuse|decline|deny)\s+(?:to\s+answer|to\s+respond|a\s+direct|any|an?\s+(?:request|order|question|prompt))"),
        new("Policy Exemption Claim",
            @"(?i)(?:\b(?:ignore|ignores|bypass|bypasses|break|breaks|violate|violates|not\s+bound\s+by|free\s+(?:from|of)|against|outside|above|beyond|without)\s+(?:all\s+|any\s+|the\s+)?(?:of\s+)?(?:openai|anthropic|chatgpt)(?:'s)?\s+(?:content\s+|usage\s+)?(?:polic(?:y|ies)|guidelines|rules|restrictions|filters?|limitations)\b|\b(?:no|without(?:\s+any)?|free\s+(?:of|from)|not\s+bound\s+by|(?:does\s*not|doesn'?t|don'?t|do\s+not)\s+(?:have|follow|care\s+about)\s+any)\s+(?:\w+\s+){0,2}?(?:ethical|moral|content|safety)\s+(?:guidelines|restrictions|filters?|policies|principles|boundaries|limits|limitations|constraints|rules)\b)"),
    ];
}
