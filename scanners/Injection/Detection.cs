namespace Pipelock.Scanners.Injection;

/// <summary>
/// The matches of the first pass that hit, the normalised text that pass ran on (what strip rewrites), and the pass
/// number (1 primary … 6 decoded): windowed scanning keeps the earliest pass over all windows, as one whole-text scan would.
/// </summary>
internal sealed record Detection(List<RawMatch> Matches, string Content, int Pass);
