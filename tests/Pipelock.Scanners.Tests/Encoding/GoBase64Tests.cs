using Pipelock.Scanners.Encoding;
using static Pipelock.Scanners.Encoding.GoBase64;

namespace Pipelock.Scanners.Tests.Encoding;

public sealed class GoBase64Tests
{
    [Theory]
    [InlineData("aGVsbG8=", Variant.Std, "hello")]
    [InlineData("aGVsbG8", Variant.RawStd, "hello")]
    [InlineData("aGk=", Variant.Std, "hi")]
    [InlineData("YQ==", Variant.Std, "a")]
    [InlineData("YQ", Variant.RawStd, "a")]
    [InlineData("YWJj", Variant.Std, "abc")]
    [InlineData("YWJj", Variant.RawStd, "abc")]
    [InlineData("YWJj", Variant.Url, "abc")]
    [InlineData("", Variant.Std, "")]
    [InlineData("aGVs\r\nbG8=", Variant.Std, "hello")]     // CR/LF skipped anywhere
    [InlineData("aGVsbG8=\n", Variant.Std, "hello")]       // newline after padding
    [InlineData("YQ=\n=", Variant.Std, "a")]               // newline between pad chars
    [InlineData("YR==", Variant.Std, "a")]                 // non-zero trailing bits accepted (Go default is not Strict)
    public void TryDecode_ValidInput_MatchesGo(string input, Variant variant, string expected)
    {
        Assert.True(TryDecode(input, variant, out var bytes));
        Assert.Equal(expected, System.Text.Encoding.Latin1.GetString(bytes));
    }

    [Theory]
    [InlineData("aGVsbG8", Variant.Std)]       // padded variant needs padding
    [InlineData("aGVsbG8=", Variant.RawStd)]   // raw rejects '='
    [InlineData("YQ=", Variant.Std)]           // half padding
    [InlineData("Y===", Variant.Std)]          // padding after one char
    [InlineData("====", Variant.Std)]
    [InlineData("YQ==YQ==", Variant.Std)]      // data after padding
    [InlineData("Y", Variant.RawStd)]          // single trailing char
    [InlineData("aGVs bG8=", Variant.Std)]     // space is not skipped
    [InlineData("aGVs\tbG8=", Variant.Std)]    // nor tab
    [InlineData("a-_b", Variant.Std)]          // URL alphabet in Std
    [InlineData("a+/b", Variant.Url)]          // Std alphabet in URL
    [InlineData("a+/b", Variant.RawUrl)]
    [InlineData("aGVsbG8é", Variant.RawStd)]   // non-ASCII
    public void TryDecode_InvalidInput_Fails(string input, Variant variant)
    {
        Assert.False(TryDecode(input, variant, out _));
    }

    [Theory]
    [InlineData(Variant.Std)]
    [InlineData(Variant.Url)]
    [InlineData(Variant.RawStd)]
    [InlineData(Variant.RawUrl)]
    public void TryDecode_RoundTripsRandomBytes_AllLengths(Variant variant)
    {
        var rng = new Random(7);
        for (int len = 0; len < 40; len++)
        {
            var data = new byte[len];
            rng.NextBytes(data);
            string enc = Convert.ToBase64String(data);
            if (variant is Variant.Url or Variant.RawUrl) enc = enc.Replace('+', '-').Replace('/', '_');
            if (variant is Variant.RawStd or Variant.RawUrl) enc = enc.TrimEnd('=');
            Assert.True(TryDecode(enc, variant, out var got), enc);
            Assert.Equal(data, got);
        }
    }

    [Fact]
    public void TryDecode_UrlAlphabet_DecodesDashUnderscore()
    {
        var data = new byte[] { 0xfb, 0xff, 0xbf };
        Assert.True(TryDecode("-_-_", Variant.Url, out var got));
        Assert.Equal(data, got);
        Assert.False(TryDecode("-_-_", Variant.Std, out _));
    }
}
