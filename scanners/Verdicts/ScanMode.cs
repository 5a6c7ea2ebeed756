namespace Pipelock.Scanners.Verdicts;

/// <summary>Pipelock's <c>mode</c>. Only strict changes scanner behaviour (api_allowlist enforced).</summary>
public enum ScanMode
{
    Audit = 1,
    Balanced = 2,
    Strict = 3,
}
