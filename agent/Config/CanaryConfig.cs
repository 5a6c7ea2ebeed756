namespace Pipelock.Agent.Config;

/// <summary><c>canary_tokens</c>: planted values that must never leave.</summary>
public sealed record CanaryConfig
{
    public bool Enabled { get; init; }
    public ValueList<CanaryTokenConfig> Tokens { get; init; } = ValueList<CanaryTokenConfig>.Empty;
}
