using Pipelock.Scanners.Mcp.Session;

namespace Pipelock.Scanners.Tests.Mcp;

public class RequestTrackerTests
{
    [Fact]
    public void TryConsume_SentId_OnceOnly()
    {
        var t = new RequestTracker();
        Assert.True(t.Track("7"));
        Assert.True(t.TryConsume("7"));
        Assert.False(t.TryConsume("7"));
    }

    [Theory]
    [InlineData("8")]
    [InlineData("\"7\"")]
    [InlineData("null")]
    [InlineData(null)]
    public void TryConsume_NeverSent_Rejected(string? id)
    {
        var t = new RequestTracker();
        t.Track("7");
        Assert.False(t.TryConsume(id));
    }

    [Fact]
    public void TryConsume_EscapedStringId_SameId()
    {
        var t = new RequestTracker();
        t.Track("\"a1\"");
        Assert.True(t.TryConsume("\"\\u0061\\u0031\""));
    }

    [Fact]
    public void Track_OverCapacity_OldestForgotten()
    {
        var t = new RequestTracker(capacity: 2);
        t.Track("1");
        t.Track("2");
        t.Track("3");
        Assert.Equal(2, t.PendingCount);
        Assert.False(t.TryConsume("1"));
        Assert.True(t.TryConsume("3"));
    }

    [Fact]
    public void Track_Concurrent_AllConsumedOnce()
    {
        var t = new RequestTracker();
        Parallel.For(0, 1000, i => t.Track(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int consumed = 0;
        Parallel.For(0, 2000, i => { if (t.TryConsume((i % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture))) Interlocked.Increment(ref consumed); });
        Assert.Equal(1000, consumed);
    }
}
