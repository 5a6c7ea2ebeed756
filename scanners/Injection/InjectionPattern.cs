namespace Pipelock.Scanners.Injection;

/// <summary>A named response-scanning rule. <paramref name="Regex"/> is Go RE2 syntax, used as written (no implicit (?i)).</summary>
public sealed record InjectionPattern(string Name, string Regex);
