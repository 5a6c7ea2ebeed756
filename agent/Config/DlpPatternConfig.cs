using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>One <c>dlp.patterns[]</c> entry. <see cref="Validator"/> is luhn, mod97, aba, wif or empty; <see cref="Action"/> is empty or warn.</summary>
public sealed record DlpPatternConfig(
    string Name,
    string Regex,
    Severity Severity,
    string Validator,
    ValueList<string> ExemptDomains,
    string Action);
