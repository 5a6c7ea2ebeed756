using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>
/// The CLI's one door into the scanners: scan <paramref name="text"/> found in <paramref name="where"/> for
/// <paramref name="kind"/>. Implementations must be thread-safe (the JSONL batch mode calls Scan in parallel),
/// must not throw on hostile input (return a fail-closed finding instead), and return <see cref="Verdict.Clean"/>
/// when nothing is found. Built by <see cref="ScanServices.CreateScanner"/>.
/// </summary>
public interface ICarrierScanner
{
    Verdict Scan(ScanKind kind, Carrier where, string text);
}
