namespace Pipelock.Agent.Config;

/// <summary>
/// One config problem, located precisely enough for an editor jump:
/// <c>pipelock.yaml:12:3: response_scanning.action: "blok" is not valid; must be one of block, strip, warn, ask</c>.
/// </summary>
/// <param name="File">File name as given to the loader (or "&lt;text&gt;").</param>
/// <param name="Line">1-based line of the offending node (0 when unknown).</param>
/// <param name="Column">1-based column of the offending node (0 when unknown).</param>
/// <param name="KeyPath">Dotted key path, e.g. <c>mcp_tool_policy.rules[2].action</c>; empty for document-level problems.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record ConfigError(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString() =>
        KeyPath.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {KeyPath}: {Message}";
}
