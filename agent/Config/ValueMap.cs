using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Pipelock.Agent.Config;

/// <summary>Immutable string-keyed map with value equality (order-insensitive), for config sections keyed by user names.</summary>
public sealed class ValueMap<T> : IReadOnlyDictionary<string, T>, IEquatable<ValueMap<T>>
{
    public static readonly ValueMap<T> Empty = new(ImmutableSortedDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, T> _map;

    private ValueMap(ImmutableSortedDictionary<string, T> map) => _map = map;

    public static ValueMap<T> From(IEnumerable<KeyValuePair<string, T>> items)
    {
        var map = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, items);
        return map.IsEmpty ? Empty : new(map);
    }

    public T this[string key] => _map[key];
    public IEnumerable<string> Keys => _map.Keys;
    public IEnumerable<T> Values => _map.Values;
    public int Count => _map.Count;
    public bool ContainsKey(string key) => _map.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value) => _map.TryGetValue(key, out value);

    public bool Equals(ValueMap<T>? other)
    {
        if (other is null || other.Count != Count) return false;
        foreach (var (k, v) in _map)
            if (!other._map.TryGetValue(k, out var ov) || !EqualityComparer<T>.Default.Equals(v, ov)) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<T> m && Equals(m);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var (k, v) in _map) { h.Add(k); h.Add(v); }
        return h.ToHashCode();
    }

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _map.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
