using System.Buffers;
using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Turns a UTF-8 byte stream into overlapping text windows for an <see cref="ITextWindowSink"/> with memory bounded by
/// one window, whatever the body size. Bytes are written into a pooled buffer of <see cref="WindowBytes"/>; each
/// <see cref="Scan"/> decodes them (up to the last whole sequence, so a character split across writes is decoded
/// whole next time) into a pooled char buffer small enough to stay off the Large Object Heap, hands the chars to the
/// sink, and keeps a tail of at least <see cref="OverlapChars"/> chars as the start of the next window. The bytes
/// before the tail are final: scanned, and no later window reaches back into them, so a streaming caller may release
/// exactly those (<see cref="Scan"/>'s return value) and a phrase on a seam is never partly released before it is seen.
/// Windows always start on a UTF-8 sequence start, so decoding window by window yields the same chars as decoding
/// the whole body at once. Not thread-safe; dispose to return the buffers.
/// </summary>
public sealed class Utf8TextWindows : IDisposable
{
    /// <summary>32 KiB of bytes decode to at most 32 K chars (64 KB), below the 85 KB Large Object Heap threshold.</summary>
    public const int DefaultWindowBytes = 32 * 1024;

    private byte[] _bytes;
    private char[] _chars;
    private int _length;
    private long _charOffset;

    /// <param name="windowBytes">Window size in bytes; must exceed 3 × <paramref name="overlapChars"/> (a char is at most 3 bytes, a surrogate pair 4 for 2) so every window makes progress.</param>
    public Utf8TextWindows(int windowBytes = DefaultWindowBytes, int overlapChars = InjectionScanner.WindowOverlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(overlapChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBytes, 3 * overlapChars + 16);
        WindowBytes = windowBytes;
        OverlapChars = overlapChars;
        _bytes = ArrayPool<byte>.Shared.Rent(windowBytes);
        _chars = ArrayPool<char>.Shared.Rent(windowBytes);
    }

    public int WindowBytes { get; }

    public int OverlapChars { get; }

    /// <summary>Bytes buffered and not yet released (scanned or not).</summary>
    public int Length => _length;

    /// <summary>The buffered bytes; after <see cref="Scan"/>, the first <see cref="Final"/> of them are final.</summary>
    public ReadOnlyMemory<byte> Buffered => _bytes.AsMemory(0, _length);

    /// <summary>Leading bytes the last <see cref="Scan"/> made final; <see cref="Release"/> drops them.</summary>
    public int Final { get; private set; }

    public bool IsFull => _length == WindowBytes;

    /// <summary>Room left in the window, to read into directly; follow with <see cref="Advance"/>.</summary>
    public Memory<byte> Free => NoPendingRelease()._bytes.AsMemory(_length, WindowBytes - _length);

    public void Advance(int count)
    {
        NoPendingRelease();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, WindowBytes - _length);
        _length += count;
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits; returns how much that was.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        NoPendingRelease();
        int n = Math.Min(data.Length, WindowBytes - _length);
        data[..n].CopyTo(_bytes.AsSpan(_length));
        _length += n;
        return n;
    }

    /// <summary>
    /// Scans the buffered bytes as one window and returns <see cref="Final"/>: not <paramref name="final"/>, the count
    /// of leading bytes before the overlap tail (and any incomplete trailing sequence), which no later window reaches
    /// back into; call it when <see cref="IsFull"/>. Final: everything (an incomplete trailing sequence decodes as
    /// U+FFFD, as a whole-body decode would). The caller may pass those bytes on, then calls <see cref="Release"/>.
    /// </summary>
    public int Scan(ITextWindowSink sink, bool final)
    {
        ArgumentNullException.ThrowIfNull(sink);
        NoPendingRelease();
        var bytes = _bytes.AsSpan(0, _length);
        int cut = final ? _length : LastSequenceStart(bytes);
        int chars = System.Text.Encoding.UTF8.GetChars(bytes[..cut], _chars);
        if (chars > 0) sink.Add(_chars.AsSpan(0, chars), _charOffset);
        if (final)
        {
            _charOffset += chars;
            return Final = _length;
        }
        int tail = TailStart(bytes[..cut], OverlapChars);
        _charOffset += chars - System.Text.Encoding.UTF8.GetCharCount(bytes[tail..cut]);
        return Final = tail;
    }

    /// <summary>Drops the bytes the last <see cref="Scan"/> made final; the tail becomes the start of the next window.</summary>
    public void Release()
    {
        _bytes.AsSpan(Final, _length - Final).CopyTo(_bytes);
        _length -= Final;
        Final = 0;
    }

    private Utf8TextWindows NoPendingRelease() =>
        Final == 0 ? this : throw new InvalidOperationException("Release the scanned bytes before adding more.");

    /// <summary>
    /// Where the last whole sequence ends: before a lead byte whose sequence the buffer does not yet hold in full,
    /// else the end. Cutting before a non-continuation byte never splits a sequence.
    /// </summary>
    internal static int LastSequenceStart(ReadOnlySpan<byte> b)
    {
        for (int i = b.Length - 1; i >= 0 && i >= b.Length - 4; i--)
        {
            byte c = b[i];
            if ((c & 0xC0) == 0x80) continue;
            int need = c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
            return i + need <= b.Length ? b.Length : i;
        }
        return b.Length; // stray continuation bytes: each decodes alone
    }

    /// <summary>
    /// The start of the shortest suffix holding at least <paramref name="chars"/> chars, moved back onto a sequence
    /// start. Counting lead bytes (two chars for a 4-byte sequence) under-counts only invalid bytes, so the suffix is
    /// also capped at 3 bytes a char, which always holds enough.
    /// </summary>
    internal static int TailStart(ReadOnlySpan<byte> b, int chars)
    {
        int floor = Math.Max(0, b.Length - 3 * chars);
        int count = 0, i = b.Length;
        while (i > floor && count < chars)
        {
            byte c = b[--i];
            if ((c & 0xC0) != 0x80) count += c >= 0xF0 && c < 0xF5 ? 2 : 1;
        }
        for (int k = 0; k < 3 && i > 0 && (b[i] & 0xC0) == 0x80; k++) i--;
        return i;
    }

    public void Dispose()
    {
        if (_bytes.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<char>.Shared.Return(_chars);
        _bytes = [];
        _chars = [];
    }
}
