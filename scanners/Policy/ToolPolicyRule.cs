using Pipelock.Scanners.Text;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// One <c>mcp_tool_policy.rules[]</c> entry. Patterns are Go RE2 syntax, compiled once through <see cref="Re2Regex"/>
/// (construction throws <see cref="ArgumentException"/> on an invalid pattern: config validation runs
/// <see cref="Re2Regex.Validate"/> first and reports every error together). Configured rules keep Re2Regex's linear
/// engine; the built-in rule sets use <see cref="RuleRegex.BuiltIn"/>.
/// </summary>
public sealed class ToolPolicyRule
{
    public ToolPolicyRule(string name, string toolPattern, string? argPattern = null, string? argKey = null,
        ScanAction? action = null, string? redirectProfile = null, Severity? severity = null)
        : this(name, toolPattern, argPattern, argKey, action, redirectProfile, severity, builtIn: false)
    {
    }

    /// <summary>A rule that ships with Pipelock (<paramref name="builtIn"/>: its patterns are vetted code).</summary>
    internal ToolPolicyRule(string name, string toolPattern, string? argPattern, string? argKey,
        ScanAction? action, string? redirectProfile, Severity? severity, bool builtIn)
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
        Func<string, RuleRegex> compile = builtIn ? static p => RuleRegex.BuiltIn(p) : static p => RuleRegex.User(p);
        ToolRegex = compile(toolPattern);
        ArgRegex = ArgPattern is null ? null : compile(ArgPattern);
        ArgKeyRegex = ArgKey is null ? null : compile(ArgKey);
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

    internal RuleRegex ToolRegex { get; }
    internal RuleRegex? ArgRegex { get; }
    internal RuleRegex? ArgKeyRegex { get; }

    public ScanAction EffectiveAction(ScanAction sectionAction) => Action ?? sectionAction;

    public Severity EffectiveSeverity(ScanAction sectionAction) =>
        Severity ?? (EffectiveAction(sectionAction) >= ScanAction.Redirect ? Verdicts.Severity.High : Verdicts.Severity.Medium);

    public override string ToString() => Name;
}
