using Pipelock.Scanners.Collections;
namespace Pipelock.Scanners.Url;

/// <summary>
/// Sliding 60 s request limit per key (registrable domain). Each key keeps a ring of its last N request times: a new
/// request is refused when the oldest of those N is still inside the window. Check and record happen under one lock,
/// so concurrent requests cannot both take the last slot. Memory: at most <c>maxKeys</c> × N timestamps.
/// </summary>
internal sealed class RequestRateLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly int _max;
    private readonly TimeProvider _time;
    private readonly BoundedLruMap<string, Ring> _keys;
    private readonly Lock _lock = new();

    public RequestRateLimiter(int maxPerMinute, int maxKeys, TimeProvider time)
    {
        _max = maxPerMinute;
        _time = time;
        _keys = new BoundedLruMap<string, Ring>(maxKeys, StringComparer.Ordinal);
    }

    /// <summary>Records the request and returns true when it is within the limit; false (not recorded) when over.</summary>
    public bool TryAcquire(string key)
    {
        if (_max <= 0) return true;
        long now = _time.GetTimestamp();
        long window = (long)(Window.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            var ring = _keys.GetOrAdd(key, _ => new Ring(_max));
            if (ring.Count == _max && now - ring.Times[ring.Head] < window) return false;
            ring.Times[ring.Head] = now;
            ring.Head = (ring.Head + 1) % _max;
            if (ring.Count < _max) ring.Count++;
            return true;
        }
    }

    private sealed class Ring(int size)
    {
        public readonly long[] Times = new long[size];
        public int Head;
        public int Count;
    }
}
