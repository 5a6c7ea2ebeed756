namespace Pipelock.Agent.Cli;

/// <summary>Totals of one JSONL batch run.</summary>
public sealed record JsonlSummary(long Records, long Flagged, long BadLines, long InputBytes, TimeSpan Elapsed)
{
    public double MegabytesPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : InputBytes / 1e6 / Elapsed.TotalSeconds;
}
