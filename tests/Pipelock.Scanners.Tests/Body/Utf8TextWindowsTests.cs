using System.Text;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Tests.Body;

public sealed class Utf8TextWindowsTests
{
    /// <summary>Records every window; stitching them by offset must give back the whole decoded text.</summary>
    private sealed class Recorder : ITextWindowSink
    {
        public readonly List<(string Text, long Offset)> Windows = [];
        public bool HasFindings => false;
        public void Add(ReadOnlySpan<char> window, long offset) => Windows.Add((window.ToString(), offset));

        public string Stitch()
        {
            var sb = new StringBuilder();
            foreach (var (text, offset) in Windows)
            {
                Assert.True(offset <= sb.Length, "windows must not leave a gap");
                sb.Length = (int)offset;
                sb.Append(text);
            }
            return sb.ToString();
        }
    }

    /// <summary>Text mixing 1-, 2-, 3- and 4-byte UTF-8 sequences, so chunk and window edges fall inside characters.</summary>
    private static string MixedText(int chars, int seed)
    {
        var rng = new Random(seed);
        string[] pieces = ["word ", "é", "ß", "€", "中文", "😀", "\n", "plain ascii text ", "🚀x", "Ω"];
        var sb = new StringBuilder(chars + 8);
        while (sb.Length < chars) sb.Append(pieces[rng.Next(pieces.Length)]);
        return sb.ToString();
    }

    /// <summary>Feeds bytes in chunks of <paramref name="chunk"/>, releasing as a streaming caller would; returns the released bytes.</summary>
    private static byte[] Feed(byte[] bytes, int chunk, ITextWindowSink sink, Action<Utf8TextWindows, int>? onScan = null)
    {
        using var w = new Utf8TextWindows();
        var released = new MemoryStream();
        int pos = 0;
        while (pos < bytes.Length)
        {
            int n = w.Write(bytes.AsSpan(pos, Math.Min(chunk, bytes.Length - pos)));
            pos += n;
            if (!w.IsFull) continue;
            int final = w.Scan(sink, final: false);
            onScan?.Invoke(w, final);
            released.Write(w.Buffered.Span[..final]);
            w.Release();
        }
        int last = w.Scan(sink, final: true);
        released.Write(w.Buffered.Span[..last]);
        w.Release();
        return released.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(40_000)]
    public void Windows_StitchToTheWholeDecode_AndReleaseEveryByteOnce(int chunk)
    {
        var text = MixedText(150_000, chunk);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var rec = new Recorder();

        var released = Feed(bytes, chunk, rec);

        Assert.Equal(bytes, released);
        Assert.True(rec.Windows.Count > 3);
        Assert.Equal(text, rec.Stitch());
        Assert.DoesNotContain(rec.Windows, w => w.Text.Contains('\uFFFD'));
    }

    [Fact]
    public void Release_AlwaysKeepsAtLeastTheOverlapUnreleased()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(MixedText(200_000, 5));
        var rec = new Recorder();
        Feed(bytes, 1000, rec, (w, final) =>
        {
            // The kept tail decodes to at least OverlapChars chars: a phrase shorter than that ending past the
            // released bytes is still whole in the next window.
            var tail = System.Text.Encoding.UTF8.GetString(w.Buffered.Span[final..]);
            Assert.True(tail.Length >= w.OverlapChars, $"tail of {tail.Length} chars");
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void InvalidUtf8_DecodesAsTheWholeBodyWould(int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[100_000];
        rng.NextBytes(bytes);
        // Mostly ASCII with bursts of arbitrary bytes, so windows cut near broken sequences.
        for (int i = 0; i < bytes.Length; i++) if (rng.Next(4) != 0) bytes[i] = (byte)('a' + rng.Next(26));
        var rec = new Recorder();

        var released = Feed(bytes, 777, rec);

        Assert.Equal(bytes, released);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), rec.Stitch());
    }

    [Theory]
    [InlineData("€")]
    [InlineData("😀")]
    [InlineData("é")]
    public void CharacterSplitAcrossTheWindowEdge_IsDecodedWhole(string ch)
    {
        var b = System.Text.Encoding.UTF8.GetBytes(ch);
        for (int shift = 1; shift < b.Length; shift++)
        {
            // Place the character so the window fills in its middle.
            var bytes = new byte[Utf8TextWindows.DefaultWindowBytes + 100];
            bytes.AsSpan().Fill((byte)'a');
            b.CopyTo(bytes, Utf8TextWindows.DefaultWindowBytes - shift);
            var rec = new Recorder();
            Feed(bytes, 10, rec);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), rec.Stitch());
            Assert.DoesNotContain(rec.Windows, w => w.Text.Contains('\uFFFD'));
        }
    }

    [Fact]
    public void AddingBeforeRelease_Throws()
    {
        using var w = new Utf8TextWindows();
        w.Write(new byte[Utf8TextWindows.DefaultWindowBytes]);
        w.Scan(new Recorder(), final: false);
        Assert.Throws<InvalidOperationException>(() => w.Write([1]));
    }
}
