namespace Pipelock.Agent.Config;

/// <summary>
/// Outcome of loading a config. <see cref="Config"/> is null whenever <see cref="Errors"/> is non-empty:
/// a half-valid security config is never handed to the scanners.
/// </summary>
public sealed record ConfigLoadResult(PipelockConfig? Config, IReadOnlyList<ConfigError> Errors, IReadOnlyList<string> Warnings)
{
    public bool IsValid => Config is not null && Errors.Count == 0;
}
