namespace Pipelock.Agent.Cli;

/// <summary>Which detection family a CLI scan asks for (<c>--kind</c>). <see cref="All"/> = every scanner that applies to the carrier.</summary>
public enum ScanKind
{
    All = 0,
    /// <summary>Credential/secret DLP (patterns, encodings, env secrets, seed phrases, canaries).</summary>
    Dlp,
    /// <summary>Prompt-injection response scanning.</summary>
    Injection,
    /// <summary>MCP tools/list poisoning (descriptions, schemas).</summary>
    ToolPoisoning,
    /// <summary>MCP tool policy on shell-like arguments (destructive commands, reverse shells, persistence).</summary>
    Shell,
    /// <summary>The URL pipeline (scheme, CRLF, traversal, blocklist, SSRF, DLP, entropy, length).</summary>
    Url,
}
