namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// What a finding asks the entry point to do. The numeric order is the "stricter-of" ranking
/// (Pipelock's <c>StricterAction</c>): block &gt; redirect &gt; ask &gt; strip &gt; warn &gt; none.
/// Unknown values are treated as <see cref="Block"/> by <see cref="ScanActions.Parse"/>.
/// </summary>
public enum ScanAction
{
    None = 0,
    Warn = 1,
    Strip = 2,
    Ask = 3,
    Redirect = 4,
    Block = 5,
}

public static class ScanActions
{
    public static ScanAction Stricter(ScanAction a, ScanAction b) => a >= b ? a : b;

    /// <summary>Parses a config action word; anything unknown fails closed as block.</summary>
    public static ScanAction Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "none" or "allow" => ScanAction.None,
        "warn" => ScanAction.Warn,
        "strip" => ScanAction.Strip,
        "ask" => ScanAction.Ask,
        "redirect" => ScanAction.Redirect,
        _ => ScanAction.Block,
    };

    public static string ToWord(this ScanAction action) => action switch
    {
        ScanAction.None => "none",
        ScanAction.Warn => "warn",
        ScanAction.Strip => "strip",
        ScanAction.Ask => "ask",
        ScanAction.Redirect => "redirect",
        _ => "block",
    };
}
