using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Tests.Encoding;

public sealed class GoHexTests
{
    [Theory]
    [InlineData("736b2d616e74", "sk-ant")]
    [InlineData("736B2D616E74", "sk-ant")]
    [InlineData("6869", "hi")]
    public void TryDecode_Valid_Decodes(string input, string expected)
    {
        Assert.True(GoHex.TryDecode(input, out var b));
        Assert.Equal(expected, System.Text.Encoding.Latin1.GetString(b));
    }

    [Theory]
    [InlineData("68")]          // shorter than 4 digits
    [InlineData("686")]         // odd
    [InlineData("68 69")]       // delimiters need the delimited decoder
    [InlineData("6g69")]
    [InlineData("")]
    public void TryDecode_Invalid_Fails(string input) => Assert.False(GoHex.TryDecode(input, out _));

    [Theory]
    [InlineData("73:6b:2d:61")]
    [InlineData("73 6b 2d 61")]
    [InlineData("73-6b-2d-61")]
    [InlineData("73,6b,2d,61")]
    [InlineData("\\x73\\x6b\\x2d\\x61")]
    [InlineData("0x73 0x6b 0x2d 0x61")]
    [InlineData("0X73,0X6B,0X2D,0X61")]
    [InlineData("\\X73\\X6b\\X2d\\X61")]
    [InlineData("736b2d61")]
    public void TryDecodeDelimited_AllDelimiterForms_Decode(string input)
    {
        Assert.True(GoHex.TryDecodeDelimited(input, out var b));
        Assert.Equal("sk-a", System.Text.Encoding.Latin1.GetString(b));
    }

    [Theory]
    [InlineData("73;6b;2d;61")]   // ';' is not a delimiter
    [InlineData("73:6b:2")]       // odd after stripping
    [InlineData("zz:zz")]
    public void TryDecodeDelimited_Invalid_Fails(string input) => Assert.False(GoHex.TryDecodeDelimited(input, out _));
}
