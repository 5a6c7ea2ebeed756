using System.IO.Compression;
using Pipelock.Scanners.Body;

namespace Pipelock.Scanners.Tests.Body;

public class ContentDecoderTests
{
    private static readonly byte[] Plain = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("monthly budget summary, nothing secret here. ", 200)));

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void Decodes_EachStandardCoding(string coding)
    {
        Assert.True(ContentDecoder.TryDecode(coding, Encode(coding, Plain), 1 << 20, out var decoded, out var error), error);
        Assert.Equal(Plain, decoded.ToArray());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void CorruptBody_FailsClosed_WithAnErrorNotAnException(string coding)
    {
        var bytes = Encode(coding, Plain);
        // Garbage over the middle of the compressed stream: each decoder reports it its own way (BrotliStream throws
        // InvalidOperationException), and every way must come back as "cannot scan", never escape.
        for (int i = bytes.Length / 3; i < bytes.Length * 2 / 3; i++) bytes[i] ^= 0x5A;

        Assert.False(ContentDecoder.TryDecode(coding, bytes, 1 << 20, out _, out var error));
        Assert.StartsWith("corrupt", error);
    }

    private static byte[] Encode(string coding, byte[] data)
    {
        using var output = new MemoryStream();
        using (Stream s = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            s.Write(data);
        }
        return output.ToArray();
    }
}
