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

public class CompressedStreamEndTests
{
    private static readonly byte[] Plain = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("monthly budget summary, nothing secret here. ", 3000)));

    public static TheoryData<string, string> Codings => new() { { "gzip", "gzip" }, { "deflate", "zlib" }, { "deflate", "raw" }, { "br", "br" } };

    [Theory]
    [MemberData(nameof(Codings))]
    public void AWholeStream_EndsExactly(string coding, string format) =>
        Assert.True(CompressedStreamEnd.EndsExactly(coding, Encode(format, Plain)));

    [Theory]
    [MemberData(nameof(Codings))]
    public void BytesAfterTheEnd_AreCaught_AndTheBodyIsRefused(string coding, string format)
    {
        // What an exfiltrating client would send: a clean compressed stream, then plaintext the decoders never show.
        var body = Encode(format, Plain).Concat(System.Text.Encoding.ASCII.GetBytes(" AKIA" + new string('Q', 16))).ToArray();

        Assert.False(CompressedStreamEnd.EndsExactly(coding, body));
        Assert.False(ContentDecoder.TryDecode(coding, body, 1 << 20, out _, out var error));
        Assert.StartsWith("corrupt", error);
    }

    [Fact]
    public void GzipTrailingBytes_EndingInAForgedLengthTrailer_AreStillCaught()
    {
        // The old check read ISIZE from the last 4 bytes only: an attacker simply repeats it after the payload.
        var gz = Encode("gzip", Plain);
        var body = gz.Concat(System.Text.Encoding.ASCII.GetBytes(" AKIA" + new string('Q', 16))).Concat(gz[^8..]).ToArray();

        Assert.False(ContentDecoder.TryDecode("gzip", body, 1 << 20, out _, out var error));
        Assert.Contains("after its end", error);
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public void ATruncatedStream_DoesNotEndExactly(string coding, string format)
    {
        var whole = Encode(format, Plain);
        Assert.False(CompressedStreamEnd.EndsExactly(coding, whole.AsMemory(0, whole.Length - 3)));
    }

    [Fact]
    public void GzipMembers_OneAfterAnother_AreOneBody()
    {
        var body = Encode("gzip", Plain).Concat(Encode("gzip", Plain)).ToArray();
        Assert.True(CompressedStreamEnd.EndsExactly("gzip", body));
    }

    private static byte[] Encode(string format, byte[] data)
    {
        using var output = new MemoryStream();
        using (Stream s = format switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "raw" => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            s.Write(data);
        }
        return output.ToArray();
    }
}
