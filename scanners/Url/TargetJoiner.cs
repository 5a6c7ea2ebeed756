using System.Buffers;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Joins DLP targets with a space into one string so a URL costs one DLP call instead of dozens. Space is kept by
/// ForDLP normalisation and is outside every credential charset, so a match cannot straddle two targets.
/// </summary>
internal sealed class TargetJoiner : IDisposable
{
    private char[] _buf;
    private int _len;

    public TargetJoiner(int initial = 256) => _buf = ArrayPool<char>.Shared.Rent(initial);

    public int Length => _len;

    public void Add(ReadOnlySpan<char> target)
    {
        if (target.IsEmpty) return;
        Ensure(target.Length + 1);
        if (_len > 0) _buf[_len++] = ' ';
        target.CopyTo(_buf.AsSpan(_len));
        _len += target.Length;
    }

    /// <summary>Adds the target with Pipelock's noise characters removed (. / space tab CR LF + , ; |).</summary>
    public void AddNoiseStripped(ReadOnlySpan<char> target, int minLength)
    {
        if (target.IndexOfAny(Noise) < 0) return;
        Ensure(target.Length + 1);
        int start = _len, n = _len > 0 ? _len + 1 : _len;
        foreach (var c in target) if (!Noise.Contains(c)) _buf[n++] = c;
        if (n - (start > 0 ? start + 1 : start) < minLength) return;
        if (start > 0) _buf[start] = ' ';
        _len = n;
    }

    public static readonly SearchValues<char> Noise = SearchValues.Create("./ \t\n\r+,;|");

    public override string ToString() => new(_buf, 0, _len);

    public void Clear() => _len = 0;

    private void Ensure(int extra)
    {
        if (_len + extra <= _buf.Length) return;
        var n = ArrayPool<char>.Shared.Rent(Math.Max(_buf.Length * 2, _len + extra));
        _buf.AsSpan(0, _len).CopyTo(n);
        ArrayPool<char>.Shared.Return(_buf);
        _buf = n;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_buf);
        _buf = [];
    }
}
