using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Dlp;

public sealed class SeedPhraseDetectorTests
{
    [Fact]
    public void Words_Are2048SortedUnique()
    {
        Assert.Equal(2048, SeedPhraseDetector.Words.Count);
        Assert.Equal(SeedPhraseDetector.Words.Order(StringComparer.Ordinal), SeedPhraseDetector.Words);
        Assert.Equal(2048, SeedPhraseDetector.Words.Distinct().Count());
        Assert.Equal("abandon", SeedPhraseDetector.Words[0]);
        Assert.Equal("zoo", SeedPhraseDetector.Words[2047]);
    }

    [Fact]
    public void Detect_KnownTestVector_AbandonAbout()
    {
        var phrase = string.Join(' ', Enumerable.Repeat("abandon", 11)) + " about";
        var f = new SeedPhraseDetector().Detect(phrase);
        Assert.NotNull(f);
        Assert.Equal(ScannerNames.SeedPhrase, f!.Scanner);
        Assert.DoesNotContain("abandon", f.Evidence);
    }

    [Fact]
    public void Detect_BadChecksum_NotFlagged_UnlessChecksumOff()
    {
        var phrase = string.Join(' ', Enumerable.Repeat("abandon", 12));
        Assert.Null(new SeedPhraseDetector().Detect(phrase));
        Assert.NotNull(new SeedPhraseDetector(verifyChecksum: false).Detect(phrase));
    }

    [Theory]
    [InlineData(12, " ")]
    [InlineData(15, ", ")]
    [InlineData(18, "-")]
    [InlineData(24, "\n")]
    [InlineData(21, " | ")]
    public void Detect_GeneratedPhrase_Flagged(int words, string sep)
    {
        var phrase = SecretGen.Bip39(new Random(words), words).Replace(" ", sep);
        Assert.NotNull(new SeedPhraseDetector().Detect("my wallet: " + phrase.ToUpperInvariant() + " thanks"));
    }

    [Fact]
    public void ScanText_SeedPhraseInBase64_Flagged()
    {
        var phrase = SecretGen.Bip39(new Random(3), 12);
        var v = SecretGen.Scanner().ScanText(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(phrase)));
        Assert.Contains(v.Findings, f => f.Rule == SeedPhraseDetector.Rule && f.Encoding == "base64");
    }

    [Fact]
    public void Detect_ProseOfListWords_NotFlagged() =>
        Assert.Null(new SeedPhraseDetector().Detect("we need to leave early because the train will arrive at the station before noon today"));
}
