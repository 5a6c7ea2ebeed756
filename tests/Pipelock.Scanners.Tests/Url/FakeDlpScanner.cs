using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

/// <summary>
/// Stand-in for the real DLP scanner (landing on main in parallel): a handful of catalogue patterns, pattern-only
/// MatchTarget, and a ScanText that also URL-decodes. Counts calls so tests can check that clean URLs stay cheap.
/// </summary>
public sealed class FakeDlpScanner : IDlpScanner
{
    private static readonly (string Name, Regex Re)[] Patterns =
    [
        ("AWS Access ID", new Regex("(?:AKIA|ASIA)[0-9A-Z]{16}", RegexOptions.CultureInvariant)),
        ("Anthropic API Key", new Regex("sk-ant-[a-zA-Z0-9_-]{20,}", RegexOptions.CultureInvariant)),
        ("OpenAI API Key", new Regex("sk-proj-[A-Za-z0-9_-]{20,}", RegexOptions.CultureInvariant)),
        ("GitHub Token", new Regex("gh[pousr]_[A-Za-z0-9]{36}", RegexOptions.CultureInvariant)),
        ("Bitcoin WIF Private Key", new Regex("(?<![A-Za-z0-9])[5KL][1-9A-HJ-NP-Za-km-z]{50,51}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)),
    ];

    public int MatchTargetCalls { get; private set; }
    public int ScanTextCalls { get; private set; }

    /// <summary>A rule name reported as warn-only (informational), to test that warn patterns never block.</summary>
    public string? WarnOnlyRule { get; init; }

    public Verdict MatchTarget(string text, string? destinationHost = null, string? encoding = null)
    {
        MatchTargetCalls++;
        var cleaned = Regex.Replace(text, "[\\x00-\\x1f\\x7f\\u200b-\\u200f]", "");
        var b = ImmutableArray.CreateBuilder<Finding>();
        foreach (var (name, re) in Patterns)
        {
            var m = re.Match(cleaned);
            if (!m.Success) continue;
            b.Add(new Finding(ScannerNames.Dlp, name, Severity.Critical, name == WarnOnlyRule ? ScanAction.Warn : ScanAction.Block,
                Redaction.Redact(m.Value), m.Index, encoding) { Informational = name == WarnOnlyRule });
        }
        return b.Count == 0 ? Verdict.Clean : new Verdict(b.ToImmutable());
    }

    public string? LastHost { get; private set; }

    public Verdict ScanText(string text, string? destinationHost = null)
    {
        ScanTextCalls++;
        LastHost = destinationHost;
        var v = MatchTarget(text, destinationHost);
        string decoded;
        try { decoded = Uri.UnescapeDataString(text); } catch (UriFormatException) { decoded = text; }
        var collapsed = decoded.Replace(".", "", StringComparison.Ordinal);
        return Verdict.Combine(v, MatchTarget(decoded, destinationHost, "url"), MatchTarget(collapsed, destinationHost, "subdomain"));
    }
}
