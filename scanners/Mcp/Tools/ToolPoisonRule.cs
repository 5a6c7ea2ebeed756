using Pipelock.Scanners.Text;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>Which part of a tool a rule reads.</summary>
public enum ToolRuleTarget
{
    /// <summary>Description and schema prose (after <c>ForToolText</c>).</summary>
    Text = 0,
    /// <summary>Each parameter name, expanded ("ssh_key_content" → "ssh key content").</summary>
    ParamName = 1,
    /// <summary>The tool's own name.</summary>
    ToolName = 2,
    /// <summary>Names of <c>x-*</c> extension keys.</summary>
    ExtensionKey = 3,
}

/// <summary>
/// One tool-poisoning rule: a Go/RE2 pattern (case-insensitive) and the literal keywords that gate it. Rules are code,
/// not configuration, so their patterns are built-in ones (<see cref="RuleRegex.BuiltIn"/>).
/// </summary>
public sealed class ToolPoisonRule
{
    public ToolPoisonRule(string name, Severity severity, ToolRuleTarget target, string pattern, params string[] keywords)
    {
        Name = name;
        Severity = severity;
        Target = target;
        Pattern = pattern;
        Regex = RuleRegex.BuiltIn(pattern, ignoreCase: true);
        Keywords = keywords;
    }

    public string Name { get; }
    public Severity Severity { get; }
    public ToolRuleTarget Target { get; }
    public string Pattern { get; }
    public RuleRegex Regex { get; }

    /// <summary>Cheap prefilter: the rule only runs when one of these appears (case-insensitive). Empty = always run.</summary>
    public IReadOnlyList<string> Keywords { get; }

    public bool MayMatch(string lowerText)
    {
        if (Keywords.Count == 0) return true;
        foreach (var k in Keywords)
            if (lowerText.Contains(k, StringComparison.Ordinal)) return true;
        return false;
    }
}
