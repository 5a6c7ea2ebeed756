namespace Pipelock.Agent.Config;

/// <summary>One <c>response_scanning.patterns[]</c> entry (RE2 syntax, validated at load).</summary>
public sealed record ResponsePatternConfig(string Name, string Regex);
