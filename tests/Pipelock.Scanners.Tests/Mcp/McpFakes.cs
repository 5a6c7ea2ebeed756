using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Mcp;

/// <summary>Minimal DLP: AWS access key ids only (enough to exercise MCP plumbing without the real scanner).</summary>
internal sealed class FakeDlp : IDlpScanner
{
    private static readonly Regex Aws = new("AKIA[0-9A-Z]{16}", RegexOptions.CultureInvariant);
    public int Calls;

    public Verdict ScanText(string text, string? destinationHost = null)
    {
        Interlocked.Increment(ref Calls);
        var m = Aws.Match(text);
        return m.Success ? Verdict.Of(new Finding(ScannerNames.Dlp, "AWS Access ID", Severity.Critical, ScanAction.Block, Redaction.Redact(m.Value), m.Index)) : Verdict.Clean;
    }

    public Verdict MatchTarget(string text, string? destinationHost = null, string? encoding = null) => ScanText(text, destinationHost);

    /// <summary>The AWS documentation example key, assembled so no credential-looking literal is committed.</summary>
    public static string ExampleKey => "AKIA" + "IOSFODNN7EXAMPLE";
}

/// <summary>Minimal injection scanner: one phrase, plus a base64 copy of it that cannot be stripped.</summary>
internal sealed class FakeInjection : IInjectionScanner
{
    private static readonly Regex Phrase = new("ignore (all )?previous instructions", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    public static readonly string EncodedPhrase = Convert.ToBase64String("ignore all previous instructions"u8.ToArray());

    public Verdict Scan(string text)
    {
        var m = Phrase.Match(text);
        if (m.Success) return Verdict.Of(new Finding(ScannerNames.ResponseScan, "Prompt Injection", Severity.High, ScanAction.Warn, Redaction.Excerpt(m.Value), m.Index));
        if (text.Contains(EncodedPhrase, StringComparison.Ordinal))
            return Verdict.Of(new Finding(ScannerNames.ResponseScan, "Prompt Injection", Severity.High, ScanAction.Warn, "decoded", -1, "base64"));
        return Verdict.Clean;
    }

    public string? Strip(string text) =>
        text.Contains(EncodedPhrase, StringComparison.Ordinal) ? null : Phrase.Replace(text, "[REDACTED: Prompt Injection]");
}
