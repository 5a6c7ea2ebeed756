namespace Pipelock.Agent.Cli;

/// <summary>The output of one JSONL batch: UTF-8 result lines in input order, plus its bad-line messages.</summary>
internal sealed record JsonlBatchResult(ReadOnlyMemory<byte> Output, IReadOnlyList<string> Errors, int Records, int Flagged)
{
    public static JsonlBatchResult Error(string message) => new(ReadOnlyMemory<byte>.Empty, [message], 0, 0);
}
