using System.Buffers;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Tests.Hosting;

public class BoundedBodyTests
{
    public static TheoryData<string, int, long?, int, int, bool> Cases => new()
    {
        // name, actual length, declared length, limit, expected length read, too large
        { "declared and exact", 1 << 20, 1 << 20, 5 << 20, 1 << 20, false },
        { "unknown length", 300_000, null, 5 << 20, 300_000, false },
        { "empty", 0, 0, 1024, 0, false },
        { "declared too small: the rest is still read", 70_000, 65_536, 5 << 20, 70_000, false },
        { "declared over the limit: refused unread", 2048, 2048, 1024, 0, true },
        { "unknown length over the limit", 5000, null, 4096, 4097, true },
        { "declared short of the limit, body over it", 5000, 4096, 4096, 4097, true },
        { "exactly the limit", 4096, null, 4096, 4096, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReadsUpToOnePastTheLimit(string name, int actual, long? declared, int limit, int expectedLength, bool tooLarge)
    {
        var data = new byte[actual];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7 + 3);
        using var stream = new TrickleStream(data, 8191);

        var (buffer, length, large) = await BoundedBody.ReadAsync(stream, declared, limit, CancellationToken.None);
        try
        {
            Assert.True(tooLarge == large, name);
            Assert.Equal(expectedLength, length);
            Assert.Equal(data.AsSpan(0, length).ToArray(), buffer.AsSpan(0, length).ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Fact]
    public async Task ADeclaredLength_NeedsNoBiggerBufferThanItself()
    {
        var data = new byte[1 << 20];
        using var stream = new TrickleStream(data, 65_536);

        var (buffer, length, _) = await BoundedBody.ReadAsync(stream, data.Length, 5 << 20, CancellationToken.None);
        ArrayPool<byte>.Shared.Return(buffer);

        Assert.Equal(data.Length, length);
        Assert.Equal(data.Length, buffer.Length); // not the next pool bucket (2 MB) just to see the end
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a socket.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
