namespace Pipelock.Scanners.Injection;

/// <summary>The matches of the first pass that hit, and the normalised text that pass ran on (what strip rewrites).</summary>
internal sealed record Detection(List<RawMatch> Matches, string Content);
