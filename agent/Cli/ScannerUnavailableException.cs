namespace Pipelock.Agent.Cli;

/// <summary>Thrown when a scan is requested from a build whose scanners are not wired in; the CLI reports it and exits 2.</summary>
public sealed class ScannerUnavailableException(string message) : Exception(message);
