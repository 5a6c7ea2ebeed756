using System.Text.RegularExpressions;
using Pipelock.Scanners.Text;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// One <c>mcp_tool_policy.rules[]</c> entry. Patterns are Go RE2 syntax, compiled once through <see cref="Re2Regex"/>
/// (construction throws <see cref="ArgumentException"/> on an invalid pattern: config validation runs
/// <see cref="Re2Regex.Validate"/> first and reports every error together).
/// </summary>
public sealed class ToolPolicyRule
{
    public ToolPolicyRule(string name, string toolPattern, string? argPattern = null, string? argKey = null,
        ScanAction? action = null, string? redirectProfile = null, Severity? severity = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(toolPattern);
        Name = name;
        ToolPattern = toolPattern;
        ArgPattern = string.IsNullOrEmpty(argPattern) ? null : argPattern;
        ArgKey = string.IsNullOrEmpty(argKey) ? null : argKey;
        Action = action;
        RedirectProfile = string.IsNullOrEmpty(redirectProfile) ? null : redirectProfile;
        Severity = severity;
        ToolRegex = Re2Regex.Compile(toolPattern);
        ArgRegex = ArgPattern is null ? null : Re2Regex.Compile(ArgPattern);
        ArgKeyRegex = ArgKey is null ? null : Re2Regex.Compile(ArgKey);
    }

    public string Name { get; }
    public string ToolPattern { get; }

    /// <summary>Null: the rule matches on the tool name alone.</summary>
    public string? ArgPattern { get; }

    /// <summary>Null: all argument values; otherwise only values under top-level keys matching this regex.</summary>
    public string? ArgKey { get; }

    /// <summary>Null: the section action applies.</summary>
    public ScanAction? Action { get; }

    /// <summary>Key in <c>redirect_profiles</c> when the effective action is redirect.</summary>
    public string? RedirectProfile { get; }

    /// <summary>Null: derived from the effective action (block ⇒ High, otherwise Medium).</summary>
    public Severity? Severity { get; }

    /// <summary>
    /// Match only the whole joined argument text, never single tokens or pairs: for patterns anchored at the start
    /// of a command (a lone <c>;done</c> token is not a command that starts with a separator). Not a Pipelock field.
    /// </summary>
    public bool WholeCommandOnly { get; init; }

    internal Regex ToolRegex { get; }
    internal Regex? ArgRegex { get; }
    internal Regex? ArgKeyRegex { get; }

    public ScanAction EffectiveAction(ScanAction sectionAction) => Action ?? sectionAction;

    public Severity EffectiveSeverity(ScanAction sectionAction) =>
        Severity ?? (EffectiveAction(sectionAction) >= ScanAction.Redirect ? Verdicts.Severity.High : Verdicts.Severity.Medium);

    public override string ToString() => Name;
}
