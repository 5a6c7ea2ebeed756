using System.Collections;
using System.Collections.Immutable;

namespace Pipelock.Agent.Config;

/// <summary>
/// Immutable list with value equality, so config records compare structurally (a loaded config can be
/// checked against a preset, and a reload can tell whether anything changed).
/// </summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public static readonly ValueList<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    private ValueList(ImmutableArray<T> items) => _items = items;

    public static ValueList<T> Of(params ReadOnlySpan<T> items) => items.IsEmpty ? Empty : new(ImmutableArray.Create(items));

    public static ValueList<T> From(IEnumerable<T> items)
    {
        var arr = items.ToImmutableArray();
        return arr.IsEmpty ? Empty : new(arr);
    }

    public int Count => _items.Length;
    public T this[int index] => _items[index];

    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items.AsSpan(), EqualityComparer<T>.Default));

    public override bool Equals(object? obj) => obj is ValueList<T> l && Equals(l);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var i in _items) h.Add(i);
        return h.ToHashCode();
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
