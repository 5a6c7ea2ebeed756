namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// Append-only, thread-safe list that tests can wait on: servers and process readers add from their own threads,
/// the test reads snapshots or awaits the first item matching a predicate (bounded, never a sleep loop).
/// </summary>
public sealed class RecordList<T>
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Match, TaskCompletionSource<T> Done)> _waiters = [];
    private Exception? _closed;

    public int Count { get { lock (_gate) return _items.Count; } }

    public IReadOnlyList<T> Snapshot() { lock (_gate) return _items.ToArray(); }

    public void Add(T item)
    {
        List<TaskCompletionSource<T>>? hit = null;
        lock (_gate)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(item)) continue;
                (hit ??= []).Add(_waiters[i].Done);
                _waiters.RemoveAt(i);
            }
        }
        // Completed outside the lock; continuations run asynchronously anyway.
        if (hit is not null) foreach (var t in hit) t.TrySetResult(item);
    }

    /// <summary>No more items will come (e.g. the process exited): pending and later waits fail at once with <paramref name="reason"/>.</summary>
    public void Close(Exception reason)
    {
        List<TaskCompletionSource<T>> pending;
        lock (_gate)
        {
            _closed ??= reason;
            pending = _waiters.Select(w => w.Done).ToList();
            _waiters.Clear();
        }
        foreach (var t in pending) t.TrySetException(reason);
    }

    /// <summary>First item at index ≥ <paramref name="skip"/> matching <paramref name="match"/>, including items already present.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> match, TimeSpan timeout, int skip = 0, Func<string>? describe = null)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            for (var i = Math.Max(0, skip); i < _items.Count; i++)
                if (match(_items[i])) return _items[i];
            if (_closed is not null) throw new InvalidOperationException("no matching item and no more will come: " + _closed.Message + Suffix(describe), _closed);
            _waiters.Add((match, done));
        }
        using var cts = new CancellationTokenSource(timeout);
        await using (cts.Token.Register(() => done.TrySetException(new TimeoutException($"no matching item within {timeout.TotalSeconds:0.#} s" + Suffix(describe)))))
        {
            try { return await done.Task.ConfigureAwait(false); }
            finally { lock (_gate) _waiters.RemoveAll(w => w.Done == done); }
        }
    }

    private static string Suffix(Func<string>? describe) => describe is null ? "" : Environment.NewLine + describe();
}
