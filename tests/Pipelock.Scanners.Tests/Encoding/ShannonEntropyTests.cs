using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Tests.Encoding;

public sealed class ShannonEntropyTests
{
    [Theory]
    [InlineData("", 0.0)]
    [InlineData("aaaa", 0.0)]
    [InlineData("ab", 1.0)]
    [InlineData("abcd", 2.0)]
    [InlineData("\u00e9\u00e8", 1.0)]            // runes, not UTF-8 bytes
    [InlineData("\U0001F600\U0001F601", 1.0)]    // surrogate pairs count once
    public void BitsPerChar_KnownInputs_Exact(string s, double expected) =>
        Assert.Equal(expected, ShannonEntropy.BitsPerChar(s), 6);

    [Fact]
    public void BitsPerChar_RandomAlphanumeric_AboveFour()
    {
        var rng = new Random(3);
        const string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var s = new string(Enumerable.Range(0, 400).Select(_ => a[rng.Next(a.Length)]).ToArray());
        Assert.InRange(ShannonEntropy.BitsPerChar(s), 5.5, 6.0);
    }
}
