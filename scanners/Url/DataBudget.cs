using Pipelock.Scanners.Collections;
namespace Pipelock.Scanners.Url;

/// <summary>
/// Sliding 60 s byte budget per key (registrable domain), in 60 one-second buckets so memory per key is fixed no matter
/// how many responses arrive. Bytes are recorded after a response and checked before the next request (Pipelock).
/// </summary>
internal sealed class DataBudget
{
    private const int Buckets = 60;

    private readonly long _max;
    private readonly TimeProvider _time;
    private readonly BoundedLruMap<string, Window> _keys;
    private readonly Lock _lock = new();

    public DataBudget(long maxPerMinute, int maxKeys, TimeProvider time)
    {
        _max = maxPerMinute;
        _time = time;
        _keys = new BoundedLruMap<string, Window>(maxKeys, StringComparer.Ordinal);
    }

    public bool Enabled => _max > 0;

    public void Record(string key, long bytes)
    {
        if (_max <= 0 || bytes <= 0) return;
        long sec = NowSeconds();
        lock (_lock)
        {
            var w = _keys.GetOrAdd(key, static _ => new Window());
            int i = (int)(sec % Buckets);
            if (w.Second[i] != sec) { w.Second[i] = sec; w.Bytes[i] = 0; }
            w.Bytes[i] = w.Bytes[i] > long.MaxValue - bytes ? long.MaxValue : w.Bytes[i] + bytes;
        }
    }

    /// <summary>Bytes used in the last 60 s.</summary>
    public long Used(string key)
    {
        long sec = NowSeconds();
        lock (_lock)
        {
            if (!_keys.TryGet(key, out var w)) return 0;
            long sum = 0;
            for (int i = 0; i < Buckets; i++)
                if (w.Second[i] > sec - Buckets && w.Second[i] <= sec) sum = sum > long.MaxValue - w.Bytes[i] ? long.MaxValue : sum + w.Bytes[i];
            return sum;
        }
    }

    /// <summary>True while the key has budget left (used &lt; max).</summary>
    public bool HasBudget(string key) => _max <= 0 || Used(key) < _max;

    private long NowSeconds() => _time.GetTimestamp() / _time.TimestampFrequency;

    private sealed class Window
    {
        public readonly long[] Second = CreateSeconds();
        public readonly long[] Bytes = new long[Buckets];

        private static long[] CreateSeconds()
        {
            var s = new long[Buckets];
            Array.Fill(s, long.MinValue);
            return s;
        }
    }
}
