using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Pipelock.Agent.Forward;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Injection;

namespace Pipelock.Agent.Tests.Forward;

public sealed class CheckpointFeedTests
{
    private sealed class NoFindings : ITextWindowSink
    {
        public bool HasFindings => false;
        public void Add(ReadOnlySpan<char> window, long offset) { }
    }

    private static byte[] Compress(string coding, byte[] data)
    {
        var ms = new MemoryStream();
        using (Stream z = coding switch
        {
            "gzip" => new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(ms, CompressionLevel.Optimal, leaveOpen: true),
            _ => new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true),
        }) z.Write(data);
        return ms.ToArray();
    }

    /// <summary>How many bytes a decoder gets out of a raw prefix (truncated input is fine).</summary>
    private static long DecodableFrom(string coding, byte[] raw)
    {
        long total = 0;
        try
        {
            using Stream z = coding switch
            {
                "gzip" => new GZipStream(new MemoryStream(raw), CompressionMode.Decompress),
                "br" => new BrotliStream(new MemoryStream(raw), CompressionMode.Decompress),
                _ => new ZLibStream(new MemoryStream(raw), CompressionMode.Decompress),
            };
            var buf = new byte[8192];
            int n;
            while ((n = z.Read(buf)) > 0) total += n;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            // Truncated input: what decoded so far counts.
        }
        return total;
    }

    /// <summary>
    /// The streaming loop of the transformer, checking after every release that the raw bytes released so far decode
    /// to no more text than is final, and at the end that every raw byte went out once, in order.
    /// </summary>
    [Theory]
    [InlineData("gzip", 0)]
    [InlineData("gzip", 70_000)]
    [InlineData("br", 0)]
    [InlineData("br", 100_000)]
    [InlineData("deflate", 5)]
    public async Task ReleasedRawBytes_NeverDecodePastTheFinalText(string coding, int prefix)
    {
        var text = StreamTestData.Prose(400_000, 21) + Convert.ToBase64String(RandomNumberGenerator.GetBytes(200_000));
        var body = Compress(coding, Encoding.UTF8.GetBytes(text));
        using var feed = new CheckpointFeed(new MemoryStream(body, prefix, body.Length - prefix), body.AsMemory(0, prefix));
        await using var decoded = ContentDecodingStream.Open(coding, feed, out _)!;
        using var windows = new Utf8TextWindows();
        var sent = new MemoryStream();
        long finalDecoded = 0;
        bool done = false;
        int releases = 0;
        while (!done)
        {
            while (!windows.IsFull)
            {
                int n = await decoded.ReadAsync(windows.Free);
                if (n == 0) { feed.MarkEnd(); done = true; break; }
                feed.Delivered += n;
                windows.Advance(n);
            }
            finalDecoded += windows.Scan(new NoFindings(), done);
            windows.Release();
            var raw = done ? feed.All : feed.Releasable(finalDecoded);
            sent.Write(raw.Span);
            feed.Release(raw.Length);
            if (!done && raw.Length > 0)
            {
                releases++;
                Assert.True(DecodableFrom(coding, sent.ToArray()) <= finalDecoded);
            }
            Assert.True(feed.PendingLength <= CheckpointFeed.MaxPendingBytes);
        }
        Assert.Equal(body, sent.ToArray());
        Assert.True(releases > 3, $"only {releases} releases before the end: the stream was held, not streamed");
    }
}
