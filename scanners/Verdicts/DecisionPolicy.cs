namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// The one decision function. Each finding already carries its section's action (response_scanning.action,
/// mcp_input_scanning.action, a pattern's own warn action, ...). This folds them with the stricter-of rule and
/// then applies <c>enforce</c>: with enforce off, anything that would block or redirect becomes a warning
/// ("detected (enforce off)"), except fail-closed conditions (parse errors, oversize or undecodable bodies),
/// which always block, as in Pipelock. <c>mode</c> does not soften actions by itself: Pipelock's
/// <c>mode: audit</c> without <c>enforce: false</c> still blocks, and we keep that contract.
/// </summary>
public static class DecisionPolicy
{
    /// <summary>Rules whose findings block even with <c>enforce: false</c>.</summary>
    public static bool IsFailClosed(Finding f) => f.Scanner is ScannerNames.BodyParse or ScannerNames.Parser or ScannerNames.Context;

    public static Decision Decide(Verdict verdict, bool enforce = true)
    {
        if (verdict.IsClean) return new Decision(Outcome.Allow, verdict);

        var action = ScanAction.None;
        bool failClosed = false;
        foreach (var f in verdict.Findings)
        {
            var a = f.Informational ? ScanAction.Warn : f.Action;
            action = ScanActions.Stricter(action, a);
            if (!f.Informational && a == ScanAction.Block && IsFailClosed(f)) failClosed = true;
        }

        var outcome = action switch
        {
            ScanAction.None or ScanAction.Warn => Outcome.Warn,
            ScanAction.Strip => Outcome.Strip,
            ScanAction.Redirect => Outcome.Redirect,
            // Ask has no terminal here: an appliance has no TTY, so ask fails closed like Pipelock without a TTY.
            _ => Outcome.Block,
        };

        if (!enforce && outcome is Outcome.Block or Outcome.Redirect && !failClosed)
            return new Decision(Outcome.Warn, verdict, EnforcementSuppressed: true);
        return new Decision(outcome, verdict);
    }
}
