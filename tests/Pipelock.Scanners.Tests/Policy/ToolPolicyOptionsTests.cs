using System.Collections.Immutable;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Policy;

public sealed class ToolPolicyOptionsTests
{
    [Fact]
    public void EffectiveRules_EmptyRules_AreTheBuiltInsPlusExtended()
    {
        var o = new ToolPolicyOptions { Enabled = true };
        Assert.Equal(ToolPolicyRules.Defaults.Length + ToolPolicyRules.Extended.Length, o.EffectiveRules.Length);
        Assert.Equal(ToolPolicyRules.Defaults, (o with { ExtendedRules = false }).EffectiveRules);
    }

    [Fact]
    public void EffectiveRules_ConfiguredRules_ReplaceTheBuiltIns()
    {
        var rule = new ToolPolicyRule("Mine", "^x$");
        Assert.Equal([rule], new ToolPolicyOptions { Enabled = true, ExtendedRules = false, Rules = [rule] }.EffectiveRules.ToArray());
    }

    [Fact]
    public void Evaluate_DisabledSection_MatchesNothing()
    {
        Assert.False(new ToolPolicy(new ToolPolicyOptions { Enabled = false }).EvaluateCommandLine("rm -rf /").Matched);
    }

    [Fact]
    public void Validate_ReportsAllErrorsTogether()
    {
        var o = new ToolPolicyOptions
        {
            Enabled = true,
            Action = ScanAction.Strip,
            Rules = [new ToolPolicyRule("A", "^x$", action: ScanAction.Redirect), new ToolPolicyRule("B", "^x$", action: ScanAction.Redirect, redirectProfile: "nope")],
            RedirectProfiles = ImmutableDictionary<string, RedirectProfile>.Empty.Add("empty", new RedirectProfile("empty", [])),
        };
        Assert.Equal(4, o.Validate().Count);
        Assert.Empty(new ToolPolicyOptions { Enabled = true }.Validate());
    }

    [Fact]
    public void Rule_InvalidPattern_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new ToolPolicyRule("Bad", "(unclosed"));
    }
}
