namespace Pipelock.Scanners.Collections;

/// <summary>
/// A small LRU map for per-key state that hostile input can multiply (MCP session keys, registrable domains of
/// rate limits and data budgets): the number of entries is capped and the least recently used one is evicted.
/// Not thread-safe: owners lock, so their check-and-record stays atomic.
/// </summary>
internal sealed class BoundedLruMap<TKey, TValue> where TKey : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();

    public BoundedLruMap(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _map = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(comparer);
    }

    public int Count => _map.Count;

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> factory)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddLast(node);
            return node.Value.Value;
        }
        if (_map.Count >= _capacity)
        {
            var oldest = _order.First!;
            _order.RemoveFirst();
            _map.Remove(oldest.Value.Key);
        }
        var value = factory(key);
        _map[key] = _order.AddLast((key, value));
        return value;
    }

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddLast(node);
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public bool Remove(TKey key)
    {
        if (!_map.Remove(key, out var node)) return false;
        _order.Remove(node);
        return true;
    }

    public void Clear()
    {
        _map.Clear();
        _order.Clear();
    }
}
