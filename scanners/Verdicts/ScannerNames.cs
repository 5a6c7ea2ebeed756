namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// Scanner labels. These strings are a contract with metrics (<c>pipelock_scanner_hits_total{scanner}</c>),
/// logs and alert rules: Pipelock's label values are kept, and new scanners add new labels.
/// </summary>
public static class ScannerNames
{
    // URL pipeline (Pipelock's values).
    public const string Parser = "parser";
    public const string Scheme = "scheme";
    public const string Length = "length";
    public const string Ssrf = "ssrf";
    public const string Allowlist = "allowlist";
    public const string Blocklist = "blocklist";
    public const string RateLimit = "ratelimit";
    public const string Dlp = "dlp";
    public const string Entropy = "entropy";
    public const string SubdomainEntropy = "subdomain_entropy";
    public const string DataBudget = "databudget";
    public const string PathTraversal = "path_traversal";
    public const string CrlfInjection = "crlf_injection";
    public const string Context = "context";
    public const string CoreDlp = "core_dlp";
    public const string CoreSsrf = "core_ssrf";
    public const string CoreResponse = "core_response";

    // Content scanners.
    public const string ResponseScan = "response_scan";
    public const string BodyDlp = "body_dlp";
    public const string HeaderDlp = "header_dlp";
    public const string SeedPhrase = "seed_phrase";
    public const string Canary = "canary";
    public const string McpInput = "mcp_input_scanning";
    public const string ToolPoisoning = "tool_poisoning";
    public const string ToolDrift = "tool_drift";
    public const string ToolPolicy = "policy";
    public const string SessionBinding = "mcp_unknown_tool";
    public const string Chain = "chain";
    public const string BodyParse = "body_parse";
}
