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
    /// reads, download-and-execute, miners, privilege escalation, defence evasion, reverse shells, exfiltration, host
    /// discovery and injection probes) on top of the configured or built-in rules. Not in Pipelock; on by default because
    /// the 17 built-ins miss most attacks.
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

    /// <summary>
    /// Every configuration error at once (house rule: report all errors together): a section action other than
    /// warn/block/redirect, a redirect rule without a profile or naming a profile that does not exist, a profile with
    /// an empty <c>exec</c>.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Action is not (ScanAction.Warn or ScanAction.Block or ScanAction.Redirect))
            errors.Add($"mcp_tool_policy.action must be warn, block or redirect (got {Action.ToWord()})");
        foreach (var rule in Rules.IsDefault ? [] : Rules)
        {
            if (rule.EffectiveAction(Action) != ScanAction.Redirect) continue;
            if (rule.RedirectProfile is null)
                errors.Add($"mcp_tool_policy rule \"{rule.Name}\": action redirect needs redirect_profile");
            else if (!RedirectProfiles.ContainsKey(rule.RedirectProfile))
                errors.Add($"mcp_tool_policy rule \"{rule.Name}\": unknown redirect_profile \"{rule.RedirectProfile}\"");
        }
        foreach (var (name, profile) in RedirectProfiles)
            if (profile.Exec.IsDefaultOrEmpty || string.IsNullOrWhiteSpace(profile.Exec[0]))
                errors.Add($"mcp_tool_policy.redirect_profiles.{name}: exec must name a program");
        return errors;
    }
}
