using Pipelock.Scanners.Mcp.Session;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// Per-session state of the MCP listener: which <c>Mcp-Session-Id</c> values the upstream actually issued, and one
/// <see cref="RequestTracker"/> per session key. Both are keyed by what clients send, so both are bounded (least
/// recently used forgotten first); a forgotten tracker's pending ids no longer validate, which fails closed.
/// </summary>
public sealed class McpSessions
{
    public const int DefaultCapacity = 10_000;

    private readonly Lru<RequestTracker> _trackers;
    private readonly Lru<bool> _issued;

    public McpSessions(int capacity = DefaultCapacity)
    {
        _trackers = new Lru<RequestTracker>(capacity);
        _issued = new Lru<bool>(capacity);
    }

    /// <summary>Remembers a session id the upstream sent in a response header.</summary>
    public void Issued(string sessionId)
    {
        if (sessionId.Length is > 0 and <= SessionKey.MaxSessionIdLength) _issued.GetOrAdd(sessionId, static () => true);
    }

    /// <summary>
    /// The session key of a request. A client's <c>Mcp-Session-Id</c> counts only when the upstream issued it: Sure
    /// never issues one, and a self-chosen id per request would give every call a fresh session, with no pinned
    /// inventory and no chain history. Otherwise the key is the bearer token and client address (hashed).
    /// </summary>
    public string KeyFor(string? mcpSessionId, string? authorization, string? clientAddress)
    {
        var sid = string.IsNullOrWhiteSpace(mcpSessionId) ? null : mcpSessionId.Trim();
        if (sid is not null && !_issued.Contains(sid)) sid = null;
        return SessionKey.For(sid, authorization, clientAddress);
    }

    public RequestTracker TrackerFor(string sessionKey) =>
        // Ids in flight per session stay few (one per open POST); the cap only bounds a client that never waits.
        _trackers.GetOrAdd(sessionKey, static () => new RequestTracker(1024));

    private sealed class Lru<TValue>
    {
        private readonly int _capacity;
        private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _map = new(StringComparer.Ordinal);
        private readonly LinkedList<(string Key, TValue Value)> _order = new();
        private readonly Lock _gate = new();

        public Lru(int capacity)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
            _capacity = capacity;
        }

        public bool Contains(string key)
        {
            lock (_gate) return _map.ContainsKey(key);
        }

        public TValue GetOrAdd(string key, Func<TValue> factory)
        {
            lock (_gate)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    _order.Remove(node);
                    _order.AddLast(node);
                    return node.Value.Value;
                }
                if (_map.Count >= _capacity)
                {
                    _map.Remove(_order.First!.Value.Key);
                    _order.RemoveFirst();
                }
                var value = factory();
                _map[key] = _order.AddLast((key, value));
                return value;
            }
        }
    }
}
