namespace Pipelock.Scanners.Mcp.Session;

/// <summary>
/// Response-id validation (Pipelock's <c>request_tracker.go</c>): a server may only answer ids the client actually
/// sent, once. A response with an unknown or already-answered id is a confused-deputy attempt (a server forging
/// a reply to a request it never got) and is rejected. Bounded: the oldest pending ids are forgotten first.
/// Thread-safe.
/// </summary>
public sealed class RequestTracker
{
    public const int DefaultCapacity = 10_000;

    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<string>> _pending = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Lock _gate = new();

    public RequestTracker(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int PendingCount
    {
        get { lock (_gate) return _pending.Count; }
    }

    /// <summary>Records an id the client sent (raw JSON text, as in <see cref="JsonRpc.JsonRpcMessage.IdRaw"/>). Returns false for a null / missing id.</summary>
    public bool Track(string? idRaw)
    {
        var key = Key(idRaw);
        if (key is null) return false;
        lock (_gate)
        {
            if (_pending.TryGetValue(key, out var existing)) _order.Remove(existing);
            else if (_pending.Count >= _capacity)
            {
                var oldest = _order.First!;
                _order.RemoveFirst();
                _pending.Remove(oldest.Value);
            }
            _pending[key] = _order.AddLast(key);
            return true;
        }
    }

    /// <summary>True (and forgets the id) when the response answers a pending request; false for ids never sent or already answered.</summary>
    public bool TryConsume(string? idRaw)
    {
        var key = Key(idRaw);
        if (key is null) return false;
        lock (_gate)
        {
            if (!_pending.Remove(key, out var node)) return false;
            _order.Remove(node);
            return true;
        }
    }

    /// <summary>True when two raw ids name the same request by the tracker's rules (so "\u0031" is "1", but "1" is not 1).</summary>
    public static bool SameId(string? a, string? b) => Key(a) is { } ka && ka == Key(b);

    /// <summary>
    /// Canonical key: strings by their decoded value ("\u0031" and "1" are the same id to a JSON parser),
    /// numbers by their raw text, type-tagged so string "1" and number 1 stay distinct as JSON-RPC requires.
    /// </summary>
    private static string? Key(string? idRaw)
    {
        if (string.IsNullOrWhiteSpace(idRaw)) return null;
        var t = idRaw.Trim();
        if (t == "null") return null;
        if (t[0] == '"')
        {
            try
            {
                var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(t));
                return reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.String ? "s:" + reader.GetString() : null;
            }
            catch (System.Text.Json.JsonException) { return null; }
        }
        // Numbers keep their raw text: servers echo the id as sent.
        return "n:" + t;
    }
}
