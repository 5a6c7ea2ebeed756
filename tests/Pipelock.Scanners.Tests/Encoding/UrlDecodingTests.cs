using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Tests.Encoding;

public sealed class UrlDecodingTests
{
    [Theory]
    [InlineData("a%20b", "a b")]
    [InlineData("a+b", "a b")]
    [InlineData("%41%4b%49%41", "AKIA")]
    [InlineData("plain", "plain")]
    [InlineData("%e2%9c%93", "\u2713")]
    [InlineData("caf\u00e9%21", "caf\u00e9!")]
    public void QueryUnescape_Valid_Decodes(string input, string expected)
    {
        Assert.True(UrlDecoding.QueryUnescape(input, out var s));
        Assert.Equal(expected, s);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("%4")]
    [InlineData("%zz")]
    [InlineData("ok%2")]
    public void QueryUnescape_InvalidEscape_Fails(string input) => Assert.False(UrlDecoding.QueryUnescape(input, out _));

    [Theory]
    [InlineData("%252541", "A")]                     // three layers
    [InlineData("%252525252D", "-")]                // many layers of %25 down to "%2D"
    [InlineData("100%", "100%")]                     // invalid: kept as is
    [InlineData("%2541%", "%2541%")]                 // invalid at first round: unchanged
    [InlineData("a+b", "a b")]
    public void IterativeDecode_Layers_ReachFixpoint(string input, string expected) =>
        Assert.Equal(expected, UrlDecoding.IterativeDecode(input));

    [Fact]
    public void IterativeDecode_PercentSequenceThatDecodesToInvalid_StopsAtLastGood()
    {
        // "%2525" -> "%25" -> "%" -> stop: "%" alone is an invalid escape for the next round but is itself the fixpoint.
        Assert.Equal("%", UrlDecoding.IterativeDecode("%2525"));
    }
}
