namespace Pipelock.Agent.Config;

/// <summary>One canary: a literal <see cref="Value"/> or the value of environment variable <see cref="EnvVar"/>.</summary>
public sealed record CanaryTokenConfig(string Name, string Value, string EnvVar);
