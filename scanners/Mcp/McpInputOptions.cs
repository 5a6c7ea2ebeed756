using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp;

/// <summary>What to do with a client message that is not valid JSON-RPC 2.0.</summary>
public enum McpParseErrorAction
{
    /// <summary>Refuse it (Pipelock default).</summary>
    Block = 0,
    /// <summary>Scan the raw text, then forward it if clean.</summary>
    Forward = 1,
}

/// <summary><c>mcp_input_scanning</c>: Pipelock defaults off/warn/block-on-parse-error; <c>mcp proxy</c> auto-enables with action block.</summary>
public sealed record McpInputOptions
{
    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public McpParseErrorAction OnParseError { get; init; } = McpParseErrorAction.Block;

    public static readonly McpInputOptions Default = new();
    public static readonly McpInputOptions AutoEnabled = new() { Enabled = true, Action = ScanAction.Block };
}
