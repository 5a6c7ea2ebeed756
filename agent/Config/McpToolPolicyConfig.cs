using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// <c>mcp_tool_policy</c>. Action warn|block|redirect (a rule without its own action uses it).
/// <c>enabled: true</c> with no rules means "use the 17 built-in rules" (<see cref="UseBuiltInRules"/>): Sure's
/// Pipelock 2.0 example config relies on it, and an enabled policy with nothing to enforce would be a silent no-op.
/// </summary>
public sealed record McpToolPolicyConfig
{
    public bool Enabled { get; init; }
    public ScanAction Action { get; init; } = ScanAction.Warn;
    public bool ActionSet { get; init; }
    public ValueList<ToolPolicyRuleConfig> Rules { get; init; } = ValueList<ToolPolicyRuleConfig>.Empty;
    public ValueMap<RedirectProfileConfig> RedirectProfiles { get; init; } = ValueMap<RedirectProfileConfig>.Empty;
    public string QuarantineDir { get; init; } = "tmp/pipelock-quarantine";

    /// <summary>Enabled with no user rules: the scanner must load the built-in rule set.</summary>
    public bool UseBuiltInRules => Enabled && Rules.Count == 0;
}
