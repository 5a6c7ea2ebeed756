using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Tests.Encoding;

public sealed class GoBase32Tests
{
    [Theory]
    [InlineData("ONQW2YLUMVWGY3DP", true, "samatelllo")]
    [InlineData("NBSWY3DP", true, "hello")]
    [InlineData("NBSWY3DPEE======", true, "hello!")]
    [InlineData("MY======", true, "f")]
    [InlineData("MZXQ====", true, "fo")]
    [InlineData("MZXW6===", true, "foo")]
    [InlineData("MZXW6YQ=", true, "foob")]
    [InlineData("MZXW6YQ", false, "foob")]
    [InlineData("MY", false, "f")]
    [InlineData("NBSW\r\nY3DP", true, "hello")]
    [InlineData("", true, "")]
    public void TryDecode_Valid_MatchesGo(string input, bool padded, string expected)
    {
        Assert.True(GoBase32.TryDecode(input, padded, out var bytes));
        Assert.Equal(expected, System.Text.Encoding.Latin1.GetString(bytes));
    }

    [Theory]
    [InlineData("MY", true)]            // padded needs full quantum
    [InlineData("MY=====", true)]       // not enough padding
    [InlineData("M=======", true)]      // padding after one char
    [InlineData("MZX=====", true)]      // 3 data chars is not a valid length
    [InlineData("MY======", false)]     // unpadded rejects '='
    [InlineData("nbswy3dp", true)]      // lowercase is not StdEncoding
    [InlineData("NBSWY3D1", true)]      // '1' not in alphabet
    [InlineData("NBSW Y3DP", true)]     // space not skipped
    [InlineData("MY=A====", true)]      // junk inside padding
    public void TryDecode_Invalid_Fails(string input, bool padded)
    {
        Assert.False(GoBase32.TryDecode(input, padded, out _));
    }

    [Fact]
    public void TryDecode_UnpaddedPartialQuantum_DropsLikeGo()
    {
        // Go's switch has no case for 1, 3 or 6 trailing chars: they add nothing and are not an error.
        Assert.True(GoBase32.TryDecode("NBSWY3DPM", false, out var bytes));
        Assert.Equal("hello", System.Text.Encoding.Latin1.GetString(bytes));
    }
}
