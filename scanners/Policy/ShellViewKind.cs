namespace Pipelock.Scanners.Policy;

/// <summary>
/// The three normalisation views of §3.8. Confusable maps disagree on a few letters that matter for commands
/// (the shared map sends в→v, н→h, у→y; command words need b, n, u), and invisible characters can either glue
/// a word together or separate two words, so each argument is read all three ways and a match in any counts.
/// </summary>
public enum ShellViewKind
{
    /// <summary>Policy pre-normaliser (у→u, в→b, н→n) then ForMatching, invisible characters dropped (curl, bash, nc).</summary>
    Policy = 0,
    /// <summary>Policy pre-normaliser, invisible characters turned into spaces (zero-width used as a separator).</summary>
    PolicyInvisibleAsSpace = 1,
    /// <summary>ForMatching only (shared confusables: mv, sh, shred, vi).</summary>
    Baseline = 2,
}
