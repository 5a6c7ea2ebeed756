using Pipelock.Agent.Config;

namespace Pipelock.Agent.Cli;

/// <summary>What a CLI invocation talks to: output streams, stdin, and how to get a scanner for a loaded config.</summary>
/// <param name="Out">Results (findings, JSONL records, generated YAML).</param>
/// <param name="Err">Diagnostics: config errors and warnings, summaries, bad input lines.</param>
/// <param name="ScannerFactory">Builds the scanner for the effective config (production: <see cref="ScanServices.CreateScanner"/>).</param>
/// <param name="OpenStdin">Opens standard input for <c>-</c> paths (null: the process stdin).</param>
public sealed record CliEnvironment(
    TextWriter Out,
    TextWriter Err,
    Func<PipelockConfig, ICarrierScanner> ScannerFactory,
    Func<Stream>? OpenStdin = null)
{
    public Stream Stdin() => (OpenStdin ?? Console.OpenStandardInput)();
}
