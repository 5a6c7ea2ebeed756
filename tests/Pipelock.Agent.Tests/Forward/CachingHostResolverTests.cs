using System.Net;
using Pipelock.Agent.Forward;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Tests.Forward;

public class CachingHostResolverTests
{
    private sealed class CountingResolver : IHostResolver
    {
        public int Calls;
        public TaskCompletionSource? Gate;
        public Func<string, IReadOnlyList<IPAddress>> Answer = _ => [IPAddress.Parse("192.0.2.10")];

        public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Gate is { } g) await g.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return Answer(host);
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        public long Now;
        public override long GetTimestamp() => Now;
        public override long TimestampFrequency => 1000;
    }

    [Fact]
    public async Task RepeatedLookups_WithinTtl_HitTheCache_AfterTtl_Requery()
    {
        var inner = new CountingResolver();
        var time = new ManualTime();
        var cache = new CachingHostResolver(inner, time, TimeSpan.FromSeconds(30));

        await cache.ResolveAsync("api.example.test", default);
        await cache.ResolveAsync("API.example.test", default);
        Assert.Equal(1, inner.Calls);

        time.Now += 31_000;
        await cache.ResolveAsync("api.example.test", default);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task ConcurrentLookupsOfOneName_ShareOneQuery()
    {
        var inner = new CountingResolver { Gate = new TaskCompletionSource() };
        var cache = new CachingHostResolver(inner);

        var lookups = Enumerable.Range(0, 16).Select(_ => cache.ResolveAsync("api.example.test", default).AsTask()).ToArray();
        inner.Gate.SetResult();
        var results = await Task.WhenAll(lookups);

        Assert.Equal(1, inner.Calls);
        Assert.All(results, r => Assert.Equal(IPAddress.Parse("192.0.2.10"), Assert.Single(r)));
    }

    [Fact]
    public async Task EmptyAnswers_AreNotCached()
    {
        var inner = new CountingResolver { Answer = _ => [] };
        var cache = new CachingHostResolver(inner);

        Assert.Empty(await cache.ResolveAsync("nx.example.test", default));
        Assert.Empty(await cache.ResolveAsync("nx.example.test", default));

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Capacity_Bounded()
    {
        var cache = new CachingHostResolver(new CountingResolver(), capacity: 8);

        for (int i = 0; i < 100; i++) await cache.ResolveAsync($"h{i}.example.test", default);

        Assert.True(cache.Count <= 8, $"count {cache.Count}");
    }
}
