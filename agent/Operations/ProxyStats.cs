using System.Collections.Concurrent;

namespace Pipelock.Agent.Operations;

/// <summary>The counters behind <c>/stats</c>: a JSON summary for people, where /metrics is for Prometheus.</summary>
public sealed class ProxyStats
{
    private readonly ConcurrentDictionary<string, long> _blockedByScanner = new(StringComparer.Ordinal);
    private long _requests, _allowed, _blocked, _warned, _tunnels, _mcpMessages, _mcpBlocked;

    public void Request(bool blocked, bool warned, string? scanner)
    {
        Interlocked.Increment(ref _requests);
        if (blocked)
        {
            Interlocked.Increment(ref _blocked);
            if (scanner is not null) _blockedByScanner.AddOrUpdate(scanner, 1, static (_, n) => n + 1);
        }
        else
        {
            Interlocked.Increment(ref _allowed);
            if (warned) Interlocked.Increment(ref _warned);
        }
    }

    public void Tunnel() => Interlocked.Increment(ref _tunnels);

    public void McpMessage(bool blocked)
    {
        Interlocked.Increment(ref _mcpMessages);
        if (blocked) Interlocked.Increment(ref _mcpBlocked);
    }

    public object Snapshot(double uptimeSeconds) => new
    {
        uptime_seconds = Math.Round(uptimeSeconds, 1),
        requests = new { total = Interlocked.Read(ref _requests), allowed = Interlocked.Read(ref _allowed), blocked = Interlocked.Read(ref _blocked), warned = Interlocked.Read(ref _warned) },
        tunnels = Interlocked.Read(ref _tunnels),
        mcp = new { messages = Interlocked.Read(ref _mcpMessages), blocked = Interlocked.Read(ref _mcpBlocked) },
        blocked_by_scanner = _blockedByScanner.OrderByDescending(kv => kv.Value).Take(20).ToDictionary(kv => kv.Key, kv => kv.Value),
    };
}
