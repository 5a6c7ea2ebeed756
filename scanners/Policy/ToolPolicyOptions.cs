using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// <c>mcp_tool_policy</c> narrowed to what the policy scanner needs. Defaults are Pipelock's: disabled, action warn,
/// no rules (an enabled section with no rules gets the 17 built-ins, as when <c>mcp proxy</c> auto-enables it).
/// </summary>
public sealed record ToolPolicyOptions
{
    public bool Enabled { get; init; }

    /// <summary>Section action for rules without their own (warn | block | redirect).</summary>
    public ScanAction Action { get; init; } = ScanAction.Warn;

    /// <summary>Configured rules; empty ⇒ <see cref="ToolPolicyRules.Defaults"/>.</summary>
    public ImmutableArray<ToolPolicyRule> Rules { get; init; } = ImmutableArray<ToolPolicyRule>.Empty;

    /// <summary>
    /// Adds <see cref="ToolPolicyRules.Extended"/> (this port's general shell-threat rules: injection payloads, credential
    /// reads, download-and-execute, miners, privilege escalation, defence evasion, reverse shells, exfiltration) on top of
    /// the configured or built-in rules. Not in Pipelock; on by default because the 17 built-ins miss most attacks.
    /// </summary>
    public bool ExtendedRules { get; init; } = true;

    public ImmutableDictionary<string, RedirectProfile> RedirectProfiles { get; init; } = ImmutableDictionary<string, RedirectProfile>.Empty;

    /// <summary>The rules actually evaluated.</summary>
    public ImmutableArray<ToolPolicyRule> EffectiveRules
    {
        get
        {
            var baseRules = Rules.IsDefaultOrEmpty ? ToolPolicyRules.Defaults : Rules;
            return ExtendedRules ? baseRules.AddRange(ToolPolicyRules.Extended) : baseRules;
        }
    }
}
