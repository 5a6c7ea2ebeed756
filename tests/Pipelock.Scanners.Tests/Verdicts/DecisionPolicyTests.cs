using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Verdicts;

public sealed class DecisionPolicyTests
{
    private static Finding F(ScanAction action, string scanner = ScannerNames.Dlp, bool informational = false) =>
        new(scanner, "rule", Severity.High, action, "ev") { Informational = informational };

    public static TheoryData<ScanAction[], bool, Outcome, bool> Cases => new()
    {
        // actions, enforce, expected outcome, expected suppressed
        { [], true, Outcome.Allow, false },
        { [ScanAction.Warn], true, Outcome.Warn, false },
        { [ScanAction.Warn, ScanAction.Block], true, Outcome.Block, false },
        { [ScanAction.Strip, ScanAction.Warn], true, Outcome.Strip, false },
        { [ScanAction.Strip, ScanAction.Block], true, Outcome.Block, false },
        { [ScanAction.Redirect, ScanAction.Warn], true, Outcome.Redirect, false },
        { [ScanAction.Redirect, ScanAction.Block], true, Outcome.Block, false },
        { [ScanAction.Ask], true, Outcome.Block, false },               // no TTY on an appliance: ask fails closed
        { [ScanAction.Block], false, Outcome.Warn, true },              // enforce off: detected, not blocked
        { [ScanAction.Redirect], false, Outcome.Warn, true },
        { [ScanAction.Strip], false, Outcome.Strip, false },            // strip is not a block; enforce leaves it
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_FoldsActionsWithStricterOfAndEnforce(ScanAction[] actions, bool enforce, Outcome expected, bool suppressed)
    {
        var verdict = Verdict.Of(actions.Select(a => F(a)));
        var d = DecisionPolicy.Decide(verdict, enforce);
        Assert.Equal(expected, d.Outcome);
        Assert.Equal(suppressed, d.EnforcementSuppressed);
    }

    [Fact]
    public void Decide_FailClosedFindingWithEnforceOff_StillBlocks()
    {
        var verdict = Verdict.Of(F(ScanAction.Block, ScannerNames.BodyParse));
        Assert.Equal(Outcome.Block, DecisionPolicy.Decide(verdict, enforce: false).Outcome);
    }

    [Fact]
    public void Decide_InformationalBlockFinding_OnlyWarns()
    {
        var verdict = Verdict.Of(F(ScanAction.Block, informational: true));
        Assert.Equal(Outcome.Warn, DecisionPolicy.Decide(verdict).Outcome);
    }

    [Theory]
    [InlineData("block", ScanAction.Block)]
    [InlineData("WARN", ScanAction.Warn)]
    [InlineData(" strip ", ScanAction.Strip)]
    [InlineData("ask", ScanAction.Ask)]
    [InlineData("redirect", ScanAction.Redirect)]
    [InlineData("", ScanAction.None)]
    [InlineData("bogus", ScanAction.Block)] // unknown fails closed
    public void Parse_ActionWords_UnknownIsBlock(string word, ScanAction expected) => Assert.Equal(expected, ScanActions.Parse(word));

    [Fact]
    public void Combine_DropsDuplicatesAndKeepsOrder()
    {
        var a = Verdict.Of(F(ScanAction.Warn));
        var b = Verdict.Of(new Finding(ScannerNames.ResponseScan, "x", Severity.Low, ScanAction.Block, "e"));
        var c = Verdict.Combine(a, Verdict.Clean, b, a);
        Assert.Equal(2, c.Findings.Length);
        Assert.Equal(ScannerNames.Dlp, c.Findings[0].Scanner);
        Assert.Same(Verdict.Clean, Verdict.Combine(Verdict.Clean, Verdict.Clean));
    }
}
