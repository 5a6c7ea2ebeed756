namespace Pipelock.Scanners.Verdicts;

/// <summary>What the entry point does with a request or response.</summary>
public enum Outcome
{
    /// <summary>Pass unchanged, nothing to report.</summary>
    Allow = 0,
    /// <summary>Pass unchanged, log the findings.</summary>
    Warn = 1,
    /// <summary>Pass with the offending parts redacted.</summary>
    Strip = 2,
    /// <summary>Route to a redirect profile (MCP tool calls).</summary>
    Redirect = 3,
    /// <summary>Refuse.</summary>
    Block = 4,
}

/// <summary>The result of <see cref="DecisionPolicy.Decide"/>.</summary>
/// <param name="Outcome">What to do.</param>
/// <param name="Verdict">The verdict it was decided from.</param>
/// <param name="EnforcementSuppressed">True when the findings would have blocked but <c>enforce: false</c> turned that into a warning.</param>
public sealed record Decision(Outcome Outcome, Verdict Verdict, bool EnforcementSuppressed = false)
{
    public bool Blocked => Outcome == Outcome.Block;
}
