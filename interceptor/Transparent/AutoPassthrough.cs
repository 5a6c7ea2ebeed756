using System.Collections.Concurrent;

namespace Pipelock.Interceptor.Transparent;

/// <summary>
/// Hosts whose clients rejected our certificate (pinned clients such as the Stripe gem, mTLS clients): the next
/// connections to them are spliced for a while instead of bumped, so the app keeps working; every entry is logged and
/// counted by the caller. Bounded; entries expire after the TTL so a transient failure does not exempt a host forever.
/// </summary>
public sealed class AutoPassthrough
{
    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _capacity;

    public AutoPassthrough(TimeProvider? time = null, TimeSpan? ttl = null, int capacity = 10_000)
    {
        _time = time ?? TimeProvider.System;
        _ttl = ttl ?? TimeSpan.FromMinutes(30);
        _capacity = capacity;
    }

    public int Count => _until.Count;

    public void Add(string host)
    {
        if (_until.Count >= _capacity)
        {
            long now = _time.GetTimestamp();
            foreach (var kv in _until) if (kv.Value <= now) _until.TryRemove(kv);
            if (_until.Count >= _capacity) return;
        }
        _until[host] = _time.GetTimestamp() + (long)(_ttl.TotalSeconds * _time.TimestampFrequency);
    }

    public bool Contains(string host)
    {
        if (!_until.TryGetValue(host, out var until)) return false;
        if (_time.GetTimestamp() < until) return true;
        _until.TryRemove(new KeyValuePair<string, long>(host, until));
        return false;
    }
}
