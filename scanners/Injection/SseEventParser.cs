using System.Buffers;
using System.Text;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Incremental text/event-stream parser (WHATWG "event stream interpretation") over arbitrary byte chunks:
/// lines end in LF, CRLF or CR (a CR at the end of one chunk and an LF at the start of the next are one terminator),
/// a blank line dispatches the event, ':' lines are comments, "data" lines are joined with '\n', "id" / "event" /
/// "retry" are tracked. Raw bytes of every event are kept so the caller can forward it verbatim. Memory is bounded:
/// once an event's raw bytes pass the limit, what has been read is handed out as an oversize fragment.
/// </summary>
internal sealed class SseEventParser(int maxEventBytes)
{
    private readonly ArrayBufferWriter<byte> _raw = new();
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly StringBuilder _data = new();
    private bool _pendingCr;
    private bool _oversize;
    private string? _id;
    private string? _type;
    private int? _retry;

    /// <summary>A parsed unit: raw bytes, the event, and whether it is (part of) an oversize event.</summary>
    internal readonly record struct Item(byte[] Raw, SseEvent Event, bool Oversize, bool HasData);

    public void Push(ReadOnlySpan<byte> chunk, List<Item> output)
    {
        while (!chunk.IsEmpty)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (chunk[0] == (byte)'\n')
                {
                    _raw.Write(chunk[..1]); // second half of a CRLF split across chunks: not a blank line
                    chunk = chunk[1..];
                    continue;
                }
            }
            int eol = chunk.IndexOfAny((byte)'\r', (byte)'\n');
            var part = eol < 0 ? chunk : chunk[..eol];
            _raw.Write(part);
            // An oversize event's data is not kept; only enough of the line to tell a blank line from a field.
            if (!_oversize) _line.Write(part);
            else if (_line.WrittenCount == 0 && !part.IsEmpty) _line.Write(part[..1]);
            if (eol < 0)
            {
                chunk = default;
            }
            else
            {
                _raw.Write(chunk.Slice(eol, 1));
                _pendingCr = chunk[eol] == (byte)'\r';
                EndLine(output);
                chunk = chunk[(eol + 1)..];
            }
            if (_raw.WrittenCount > maxEventBytes) FlushOversize(output);
        }
    }

    /// <summary>End of stream: whatever was read after the last blank line (scanned, though the spec would not dispatch it).</summary>
    public void Complete(List<Item> output)
    {
        if (_line.WrittenCount > 0) ProcessLine(_line.WrittenSpan);
        _line.Clear();
        if (_raw.WrittenCount > 0) output.Add(Take(_oversize));
        _oversize = false;
    }

    private void EndLine(List<Item> output)
    {
        if (_line.WrittenCount == 0)
        {
            output.Add(Take(_oversize));
            _oversize = false;
            _type = null; // the event type applies to one event; the last event id persists (spec)
            return;
        }
        ProcessLine(_line.WrittenSpan);
        _line.Clear();
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line[0] == (byte)':') return; // comment
        int colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ') value = value[1..];
        if (name.SequenceEqual("data"u8))
        {
            if (!_oversize) _data.Append(System.Text.Encoding.UTF8.GetString(value)).Append('\n');
        }
        else if (name.SequenceEqual("event"u8)) _type = System.Text.Encoding.UTF8.GetString(value);
        else if (name.SequenceEqual("id"u8)) { if (value.IndexOf((byte)0) < 0) _id = System.Text.Encoding.UTF8.GetString(value); }
        else if (name.SequenceEqual("retry"u8) && value.Length is > 0 and < 10 && value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
            _retry = int.Parse(System.Text.Encoding.ASCII.GetString(value), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void FlushOversize(List<Item> output)
    {
        // Hand out what we have (its data still gets scanned) and keep reading the event without buffering its data.
        if (_line.WrittenCount > 0 && !_oversize) ProcessLine(_line.WrittenSpan); // keep the data read so far for scanning
        if (_line.WrittenCount > 0) { _line.Clear(); _line.Write("x"u8); } // mid-line: remember the line is not blank
        output.Add(Take(oversize: true));
        _oversize = true;
    }

    private Item Take(bool oversize)
    {
        bool hasData = _data.Length > 0;
        string data = hasData ? _data.ToString(0, _data.Length - (_data[^1] == '\n' ? 1 : 0)) : "";
        var item = new Item(_raw.WrittenSpan.ToArray(), new SseEvent(_id, _type, data, _retry), oversize, hasData);
        _raw.Clear();
        _data.Clear();
        return item;
    }
}
