using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// One <c>mcp_tool_policy.rules[]</c> entry. Patterns are RE2 syntax (validated at load). <see cref="Action"/> is
/// null when the rule inherits the section action. <see cref="RedirectProfile"/> names a key of redirect_profiles.
/// </summary>
public sealed record ToolPolicyRuleConfig(
    string Name,
    string ToolPattern,
    string? ArgPattern,
    string? ArgKey,
    ScanAction? Action,
    string? RedirectProfile);
