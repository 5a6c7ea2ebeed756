using System.Collections.Concurrent;
using System.Net;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Forward;

/// <summary>
/// A short-lived answer cache in front of the system resolver. Neither .NET nor glibc caches lookups, so without it
/// every proxied request to an LLM API pays a DNS round trip before the SSRF check. Safe for SSRF: the proxy dials
/// exactly the addresses the scanner checked, cached or not. Concurrent lookups of one name share one query; failures
/// are not cached (they fail closed and are retried next time); the table is bounded.
/// </summary>
public sealed class CachingHostResolver : IHostResolver
{
    private readonly IHostResolver _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    private sealed class Entry(Task<IReadOnlyList<IPAddress>> lookup, long expires)
    {
        public Task<IReadOnlyList<IPAddress>> Lookup { get; } = lookup;
        public long Expires { get; } = expires;
    }

    public CachingHostResolver(IHostResolver inner, TimeProvider? time = null, TimeSpan? ttl = null, int capacity = 4096)
    {
        _inner = inner;
        _time = time ?? TimeProvider.System;
        _ttl = ttl ?? TimeSpan.FromSeconds(30);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        long now = _time.GetTimestamp();
        if (_entries.TryGetValue(host, out var hit) && now < hit.Expires)
            return await hit.Lookup.WaitAsync(cancellationToken).ConfigureAwait(false);

        if (_entries.Count >= _capacity) Trim(now);
        var entry = new Entry(LookupAsync(host), now + (long)(_ttl.TotalSeconds * _time.TimestampFrequency));
        var stored = _entries.AddOrUpdate(host, entry, (_, old) => now < old.Expires ? old : entry);
        IReadOnlyList<IPAddress> result;
        try
        {
            result = await stored.Lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(host, stored));
            throw;
        }
        if (result.Count == 0) _entries.TryRemove(new KeyValuePair<string, Entry>(host, stored));
        return result;
    }

    // The shared query must not be cancelled by the first caller's token: other callers may be waiting on it.
    private async Task<IReadOnlyList<IPAddress>> LookupAsync(string host) =>
        await _inner.ResolveAsync(host, CancellationToken.None).ConfigureAwait(false);

    private void Trim(long now)
    {
        foreach (var kv in _entries)
            if (now >= kv.Value.Expires) _entries.TryRemove(kv);
        if (_entries.Count >= _capacity) _entries.Clear();
    }
}
