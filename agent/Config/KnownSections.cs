namespace Pipelock.Agent.Config;

/// <summary>
/// Pipelock's top-level keys, split into what this build binds and what it only accepts. The split decides how a
/// file is treated: implemented sections are strict (unknown keys are errors), known-but-unimplemented ones produce
/// one warning naming them all (never a silent misreading), and keys Pipelock does not have at all produce a warning,
/// because newer Pipelock releases add sections and the app's CI must not break on them — unless the key is a
/// near-miss of a known one (a typo such as <c>response_scaning</c> would silently disable a protection) or a known
/// misplacement, which are errors.
/// </summary>
public static class KnownSections
{
    public static readonly IReadOnlySet<string> Implemented = new HashSet<string>(StringComparer.Ordinal)
    {
        "version", "mode", "enforce", "explain_blocks", "api_allowlist", "internal", "trusted_domains", "metrics_listen",
        "ssrf", "fetch_proxy", "forward_proxy", "dlp", "canary_tokens", "seed_phrase_detection", "response_scanning",
        "request_body_scanning", "mcp_input_scanning", "mcp_tool_scanning", "mcp_tool_policy", "mcp_session_binding",
        "tool_chain_detection", "cross_request_detection", "kill_switch", "tls_interception", "logging", "reverse_proxy",
        "scan_api", "transparent",
    };

    /// <summary>Pipelock sections (catalogue §6 plus later releases seen in Sure's configs and docs) not enforced by this build.</summary>
    public static readonly IReadOnlySet<string> NotImplemented = new HashSet<string>(StringComparer.Ordinal)
    {
        "suppress", "websocket_proxy", "git_protection", "session_profiling", "adaptive_enforcement", "sentry", "emit",
        "mcp_ws_listener", "address_protection", "rules", "file_sentry", "sandbox", "flight_recorder", "mcp_binary_integrity",
        "mcp_tool_provenance", "behavioral_baseline", "airlock", "browser_shield", "media_policy", "a2a_scanning", "taint",
        "mediation_envelope", "redaction", "agents", "default_agent_identity", "bind_default_agent_identity", "license_key",
        "license_file", "license_public_key", "health_watchdog", "data_budget", "learn", "request_policy",
    };

    /// <summary>Keys people put at the top level that belong in a section: an error pointing at the right place.</summary>
    public static readonly IReadOnlyDictionary<string, string> Misplaced = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["blocklist"] = "fetch_proxy.monitoring.blocklist",
        ["max_url_length"] = "fetch_proxy.monitoring.max_url_length",
        ["entropy_threshold"] = "fetch_proxy.monitoring.entropy_threshold",
        ["ip_allowlist"] = "ssrf.ip_allowlist",
        ["passthrough_domains"] = "tls_interception.passthrough_domains",
    };

    public static IEnumerable<string> All => Implemented.Concat(NotImplemented);
}
