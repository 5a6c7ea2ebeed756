using Pipelock.Interceptor.Transparent;

namespace Pipelock.Interceptor.Tests;

public class AutoPassthroughTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Now;
        public override long GetTimestamp() => Now;
        public override long TimestampFrequency => 1000;
    }

    [Fact]
    public void AddedHost_SplicedUntilTheTtlRunsOut()
    {
        var time = new ManualTime();
        var auto = new AutoPassthrough(time, TimeSpan.FromMinutes(30));

        auto.Add("api.stripe.test");

        Assert.True(auto.Contains("API.stripe.test"));
        Assert.False(auto.Contains("other.test"));
        time.Now += 29 * 60_000;
        Assert.True(auto.Contains("api.stripe.test"));
        time.Now += 2 * 60_000;
        Assert.False(auto.Contains("api.stripe.test"));
        Assert.Equal(0, auto.Count);
    }

    [Fact]
    public void Bounded_ExpiredEntriesMakeRoom_LiveOnesAreNeverEvictedForNewcomers()
    {
        var time = new ManualTime();
        var auto = new AutoPassthrough(time, TimeSpan.FromMinutes(1), capacity: 4);
        for (int i = 0; i < 4; i++) auto.Add($"h{i}.test");

        auto.Add("late.test");
        Assert.False(auto.Contains("late.test"));
        Assert.Equal(4, auto.Count);

        time.Now += 2 * 60_000;
        auto.Add("later.test");
        Assert.True(auto.Contains("later.test"));
        Assert.Equal(1, auto.Count);
    }
}
