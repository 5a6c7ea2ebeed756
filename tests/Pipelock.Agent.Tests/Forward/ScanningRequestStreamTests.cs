using System.Text;
using Pipelock.Agent.Forward;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Forward;

public sealed class ScanningRequestStreamTests
{
    private static readonly ScanEngine Blocking = new(new ScanEngineOptions { Body = BodyOptions.Default with { Action = ScanAction.Block } });
    private static readonly ScanEngine Warning = new();

    /// <summary>Reads the stream the way YARP does; returns what was handed out and whether a read threw.</summary>
    private static async Task<(byte[] Out, bool Threw)> DrainAsync(Stream s, int readSize)
    {
        var output = new MemoryStream();
        var buf = new byte[readSize];
        try
        {
            int n;
            while ((n = await s.ReadAsync(buf)) > 0) output.Write(buf, 0, n);
            return (output.ToArray(), false);
        }
        catch (IOException)
        {
            return (output.ToArray(), true);
        }
    }

    /// <summary>Client body split as (prefix already buffered by the handler, rest still on the wire).</summary>
    private static ScanningRequestStream Stream(byte[] body, int prefix, ScanEngine engine) =>
        new(new MemoryStream(body, prefix, body.Length - prefix, writable: false), body.AsMemory(0, prefix), engine.Body, "api.example.com", engine.Options.Enforce);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(65_537, 7)]
    [InlineData(100_000, 16 * 1024)]
    [InlineData(3, 100_000)]
    public async Task CleanBody_PassesByteExact(int prefix, int readSize)
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Prose(700_000));
        using var s = Stream(body, prefix, Blocking);

        var (output, threw) = await DrainAsync(s, readSize);

        Assert.False(threw);
        Assert.Equal(body, output);
        Assert.True(s.Verdict.IsClean);
        Assert.Null(s.Blocked);
    }

    /// <summary>Secret offsets around the seams of the first windows (the first window's end, the second's).</summary>
    public static TheoryData<int> SeamOffsets()
    {
        var data = new TheoryData<int>();
        int edge = Utf8TextWindows.DefaultWindowBytes;
        foreach (int end in new[] { edge, 2 * edge - 4096, 3 * edge - 2 * 4096 })
            for (int d = -24; d <= 4; d += 4) data.Add(end + d);
        data.Add(500_000);
        return data;
    }

    [Theory]
    [MemberData(nameof(SeamOffsets))]
    public async Task SecretOnASeam_StopsTheBody_BeforeAnyOfItsBytesGoOut(int at)
    {
        var secret = StreamTestData.AwsKey();
        // ASCII prose here so the byte offset of the secret is exact.
        var text = StreamTestData.Plant(new string('a', 0) + AsciiProse(600_000), secret, at);
        var body = Encoding.UTF8.GetBytes(text);
        int secretAt = text.IndexOf(secret, StringComparison.Ordinal);
        using var s = Stream(body, Math.Min(body.Length, 65_537), Blocking);

        var (output, threw) = await DrainAsync(s, 8192);

        Assert.True(threw);
        Assert.NotNull(s.Blocked);
        Assert.Contains(s.Blocked!.Verdict.Findings, f => f.Scanner is ScannerNames.BodyDlp or ScannerNames.CoreDlp);
        Assert.True(output.Length <= secretAt, $"{output.Length} bytes went out, the secret starts at {secretAt}");
    }

    [Fact]
    public async Task SecretInTheFirstWindow_IsCaughtByPrime_BeforeAnythingIsForwarded()
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Plant(AsciiProse(200_000), StreamTestData.AwsKey(), 1000));
        using var s = Stream(body, 65_537, Blocking);
        Assert.False(await s.PrimeAsync(CancellationToken.None));
        Assert.NotNull(s.Blocked);
    }

    [Fact]
    public async Task WarnAction_ForwardsEverything_AndKeepsTheFinding()
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Plant(StreamTestData.Prose(300_000), StreamTestData.AnthropicKey(), 250_000));
        using var s = Stream(body, 65_537, Warning);

        var (output, threw) = await DrainAsync(s, 4096);

        Assert.False(threw);
        Assert.Equal(body, output);
        Assert.False(s.Verdict.IsClean);
        Assert.False(s.Decision.Blocked);
    }

    private static byte[] Compress(string coding, byte[] data)
    {
        var ms = new MemoryStream();
        using (Stream z = coding == "gzip" ? new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)
                   : new System.IO.Compression.BrotliStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            z.Write(data);
        return ms.ToArray();
    }

    private static string Decompress(string coding, byte[] raw)
    {
        var output = new MemoryStream();
        try
        {
            using Stream z = coding == "gzip" ? new System.IO.Compression.GZipStream(new MemoryStream(raw), System.IO.Compression.CompressionMode.Decompress)
                : new System.IO.Compression.BrotliStream(new MemoryStream(raw), System.IO.Compression.CompressionMode.Decompress);
            z.CopyTo(output);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            // Cut short: what decoded counts.
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static ScanningRequestStream CodedStream(byte[] body, int prefix, string coding) =>
        new(new MemoryStream(body, prefix, body.Length - prefix, writable: false), body.AsMemory(0, prefix), Blocking.Body, "api.example.com", true, coding);

    [Theory]
    [InlineData("gzip", 0)]
    [InlineData("br", 65_537)]
    public async Task CompressedBody_IsBlockedBeforeAnythingGoesOut(string coding, int prefix)
    {
        // Clean text followed by a secret after the end of the compressed stream: .NET's decoders stop at the end
        // and ignore the rest, so a streamed coded body could carry bytes no scan saw. Such bodies are refused whole.
        var secret = StreamTestData.AwsKey();
        var clean = Compress(coding, Encoding.UTF8.GetBytes(StreamTestData.Prose(800_000, 31)));
        var body = clean.Concat(Encoding.ASCII.GetBytes(" " + secret)).ToArray();
        using var s = CodedStream(body, Math.Min(prefix, body.Length), coding);

        Assert.False(await s.PrimeAsync(CancellationToken.None));
        var (output, threw) = await DrainAsync(s, 8192);

        Assert.True(threw);
        Assert.Empty(output);
        Assert.Equal(ScannerNames.BodyParse, s.Blocked!.Verdict.Findings[0].Scanner);
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("gzip")]
    public async Task UndecodableBody_IsBlockedBeforeAnythingGoesOut(string coding)
    {
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000); // not gzip at all
        using var s = CodedStream(body, 0, coding);
        Assert.False(await s.PrimeAsync(CancellationToken.None));
        Assert.Equal(ScannerNames.BodyParse, s.Blocked!.Verdict.Findings[0].Scanner);
    }

    private static string AsciiProse(int chars)
    {
        var sb = new StringBuilder(chars + 16);
        string[] words = ["the", "river", "garden", "table", "morning", "quiet", "report", "window"];
        var rng = new Random(chars);
        for (int i = 1; sb.Length < chars; i++)
        {
            sb.Append(words[rng.Next(words.Length)]).Append(' ');
            if (i % 5 == 0) sb.Append(i % 1000).Append(' '); // no run of list words long enough for a seed phrase
        }
        return sb.ToString(0, chars);
    }
}
