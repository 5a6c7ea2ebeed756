using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// Outcome of a tool-policy check (Pipelock's <c>policy.Verdict</c>): the strictest action over the matched rules
/// (block &gt; redirect &gt; ask &gt; warn), the rules in configuration order, and the redirect profile when redirect won.
/// </summary>
public sealed class PolicyVerdict
{
    public static readonly PolicyVerdict NoMatch = new(ImmutableArray<ToolPolicyRule>.Empty, ScanAction.None, null, "", ScanAction.Warn, null);

    internal PolicyVerdict(ImmutableArray<ToolPolicyRule> rules, ScanAction action, RedirectProfile? redirect, string command,
        ScanAction sectionAction, string? error, string? redirectProfileName = null)
    {
        MatchedRules = rules;
        Action = action;
        RedirectProfile = redirect;
        RedirectProfileName = redirectProfileName;
        Command = command;
        SectionAction = sectionAction;
        Error = error;
    }

    public bool Matched => !MatchedRules.IsEmpty || Error is not null;

    /// <summary>Effective action; None when nothing matched.</summary>
    public ScanAction Action { get; }

    public ImmutableArray<ToolPolicyRule> MatchedRules { get; }

    public IEnumerable<string> RuleNames => MatchedRules.Select(static r => r.Name);

    /// <summary>Set only when the winning action is redirect and the profile exists.</summary>
    public RedirectProfile? RedirectProfile { get; }

    /// <summary>The profile name the winning redirect rule asked for (even when it is not configured).</summary>
    public string? RedirectProfileName { get; }

    /// <summary>The de-obfuscated argument text (policy view), for evidence.</summary>
    public string Command { get; }

    /// <summary>Input that could not be inspected (bad tool-call JSON): fails closed as block.</summary>
    public string? Error { get; }

    internal ScanAction SectionAction { get; }

    /// <summary>One finding per matched rule (Scanner = <see cref="ScannerNames.ToolPolicy"/>).</summary>
    public Verdict ToVerdict()
    {
        if (!Matched) return Verdict.Clean;
        var evidence = Redaction.Excerpt(Command, 100);
        var b = ImmutableArray.CreateBuilder<Finding>(MatchedRules.Length + 1);
        if (Error is not null)
            b.Add(new Finding(ScannerNames.ToolPolicy, "invalid_tool_call", Severity.High, ScanAction.Block, Redaction.Excerpt(Error, 100)));
        foreach (var r in MatchedRules)
            b.Add(new Finding(ScannerNames.ToolPolicy, r.Name, r.EffectiveSeverity(SectionAction), r.EffectiveAction(SectionAction), evidence));
        return new Verdict(b.ToImmutable());
    }

    public override string ToString() => Matched ? $"{Action.ToWord()}: {string.Join(", ", RuleNames)}" : "clean";
}
