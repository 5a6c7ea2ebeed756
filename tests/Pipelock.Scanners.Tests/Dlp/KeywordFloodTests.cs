using Pipelock.Scanners.Dlp;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// A text with more keyword hits than the per-scan cap switches rules to "scan the rest of the text"; rules with a
/// proximity character must survive that path (it used to throw), and a secret after the padding is still found.
/// </summary>
public sealed class KeywordFloodTests
{
    private static readonly DlpScanner Dlp = new(new DlpOptions { ScanEnv = false });

    [Theory]
    [InlineData("token=")]
    [InlineData("key ")]
    [InlineData("password ")]
    [InlineData("AKIA")]
    [InlineData("secret:")]
    public void ScanText_KeywordFloodThenSecret_DoesNotThrowAndFindsSecret(string padding)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var token = "gh" + "p_" + string.Concat(Enumerable.Range(0, 36).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
        var text = string.Concat(Enumerable.Repeat(padding, 20_000)) + " " + token;
        var verdict = Dlp.ScanText(text);
        Assert.Contains(verdict.Findings, f => f.Rule.Contains("GitHub", StringComparison.Ordinal));
        var target = Dlp.MatchTarget(text);
        Assert.Contains(target.Findings, f => f.Rule.Contains("GitHub", StringComparison.Ordinal));
    }
}
