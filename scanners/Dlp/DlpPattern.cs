using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// One DLP rule (Pipelock's <c>dlp.patterns[]</c> entry). <see cref="Regex"/> is Go RE2 syntax; it is compiled
/// case-insensitively ("(?i)" prepended, as Pipelock does) unless the pattern opts out with <c>(?-i:…)</c>.
/// </summary>
/// <param name="Name">Rule name reported in findings.</param>
/// <param name="Regex">RE2 pattern.</param>
/// <param name="Severity">Severity of a hit.</param>
/// <param name="Validator">Post-match checksum: "luhn", "mod97", "aba", "wif", or null.</param>
/// <param name="ExemptDomains">Destination hosts (exact or "*.x", which also matches the apex) for which the rule is skipped.</param>
/// <param name="Action">"" (enforced) or "warn" (informational only, never blocks).</param>
public sealed record DlpPattern(
    string Name,
    string Regex,
    Severity Severity,
    string? Validator = null,
    IReadOnlyList<string>? ExemptDomains = null,
    string Action = "")
{
    /// <summary>
    /// Pre-filter keywords (any one must occur, case-insensitively, for the rule to run). Null = derive Pipelock's literal
    /// prefix from the regex. Empty = no keyword: the rule is gated by <see cref="MinRun"/>/<see cref="MinDigits"/> instead.
    /// </summary>
    public IReadOnlyList<string>? Keywords { get; init; }

    /// <summary>Gate for keyword-less rules: the text must hold a token run (letters, digits, <c>+/=_-.~</c>) at least this long.</summary>
    public int MinRun { get; init; }

    /// <summary>Gate for keyword-less rules: the text must hold at least this many ASCII digits.</summary>
    public int MinDigits { get; init; }

    /// <summary>
    /// Index of the capture group holding the secret value (0 = whole match). Used for the placeholder check
    /// and the evidence prefix, so "password=" context is not what gets judged.
    /// </summary>
    public int ValueGroup { get; init; }

    /// <summary>Minimum Shannon entropy (bits/char) of the value; 0 = no check. For keyword-context rules with generic value shapes.</summary>
    public double MinEntropy { get; init; }

    /// <summary>When set, the value group must also pass <see cref="ValueJudge"/> for this kind (generic detectors).</summary>
    internal KeyKind Judge { get; init; }

    /// <summary>True for keyword-context rules (<see cref="RuleBuilder.Kw"/>): the keyword must start a word.</summary>
    internal bool ContextRule { get; init; }

    /// <summary>Scanner label for findings (<see cref="ScannerNames.Dlp"/>, or <see cref="ScannerNames.CoreDlp"/> for the core floor).</summary>
    public string Scanner { get; init; } = ScannerNames.Dlp;

    public bool WarnOnly => string.Equals(Action, "warn", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="host"/> is listed in <see cref="ExemptDomains"/> ("*.x" covers x and its subdomains).</summary>
    public bool IsExempt(string? host)
    {
        if (ExemptDomains is null || ExemptDomains.Count == 0 || string.IsNullOrEmpty(host)) return false;
        var h = host.TrimEnd('.');
        foreach (var d in ExemptDomains)
        {
            if (d.StartsWith("*.", StringComparison.Ordinal))
            {
                var apex = d.AsSpan(2);
                if (h.AsSpan().Equals(apex, StringComparison.OrdinalIgnoreCase)) return true;
                if (h.Length > apex.Length + 1 && h.AsSpan(h.Length - apex.Length).Equals(apex, StringComparison.OrdinalIgnoreCase)
                    && h[h.Length - apex.Length - 1] == '.') return true;
            }
            else if (string.Equals(h, d.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
