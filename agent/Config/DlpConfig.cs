namespace Pipelock.Agent.Config;

/// <summary><c>dlp</c>. User patterns merge with the built-ins by name (same name overrides) unless include_defaults is false.</summary>
public sealed record DlpConfig
{
    public bool ScanEnv { get; init; } = true;
    public string SecretsFile { get; init; } = "";
    public int MinEnvSecretLength { get; init; } = 16;
    public bool IncludeDefaults { get; init; } = true;
    public ValueList<DlpPatternConfig> Patterns { get; init; } = ValueList<DlpPatternConfig>.Empty;
}
