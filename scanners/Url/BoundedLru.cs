namespace Pipelock.Scanners.Url;

/// <summary>
/// Key → state map with a hard entry cap; the least recently used entry is evicted. Not thread-safe: the owners
/// hold their own lock so check-and-record stays atomic.
/// </summary>
internal sealed class BoundedLru<TValue> where TValue : class
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _map;
    private readonly LinkedList<(string Key, TValue Value)> _order = new();

    public BoundedLru(int capacity)
    {
        _capacity = capacity;
        _map = new(Math.Min(capacity, 1024), StringComparer.Ordinal);
    }

    public int Count => _map.Count;

    public TValue GetOrAdd(string key, Func<TValue> create)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Value;
        }
        if (_map.Count >= _capacity)
        {
            var last = _order.Last!;
            _order.RemoveLast();
            _map.Remove(last.Value.Key);
        }
        var value = create();
        _map[key] = _order.AddFirst((key, value));
        return value;
    }

    public TValue? Get(string key) => _map.TryGetValue(key, out var node) ? node.Value.Value : null;
}
