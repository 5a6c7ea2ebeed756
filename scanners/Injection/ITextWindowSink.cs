namespace Pipelock.Scanners.Injection;

/// <summary>
/// Receives a text window by window (consecutive windows overlap, so a phrase or secret on a seam is seen whole in
/// one of them); <paramref name="offset"/> is the window's first char in the whole text.
/// </summary>
public interface ITextWindowSink
{
    void Add(ReadOnlySpan<char> window, long offset);

    /// <summary>True once a finding was recorded: streaming callers stop forwarding at the first one.</summary>
    bool HasFindings { get; }
}
