namespace Pipelock.Agent.Cli;

/// <summary>Process exit codes of every verb.</summary>
public static class ExitCodes
{
    /// <summary>Success: config valid, input clean, all scenarios passed.</summary>
    public const int Ok = 0;
    /// <summary>Findings in the input, or simulation gaps.</summary>
    public const int Findings = 1;
    /// <summary>Usage error, invalid config, unreadable or malformed input, internal error.</summary>
    public const int Error = 2;
}
