using System.Buffers;
using System.Text;

namespace Pipelock.Agent.Mcp;

/// <summary>One dispatched server-sent event: its raw bytes (forwarded verbatim when clean) and its fields.</summary>
/// <param name="Raw">The event's bytes as received, blank-line terminator included.</param>
/// <param name="Data">The <c>data:</c> lines joined with '\n'; null when the event has none (comments, retry, priming).</param>
/// <param name="Id">The <c>id:</c> field of this event, if it had one.</param>
/// <param name="EventType">The <c>event:</c> field of this event, if it had one.</param>
public sealed record McpSseEvent(byte[] Raw, string? Data, string? Id, string? EventType);

/// <summary>
/// Incremental <c>text/event-stream</c> reader for MCP responses (WHATWG event-stream rules: LF, CRLF or CR line
/// ends, a CRLF split across reads is one terminator, ':' lines are comments, data lines joined with '\n'). Keeps
/// each event's raw bytes so a clean event goes out exactly as the server sent it. An event larger than
/// <c>maxEventBytes</c> is not buffered further: <see cref="Oversize"/> turns true and the caller fails closed,
/// because an MCP message that cannot be read whole cannot be scanned.
/// </summary>
public sealed class McpSseReader
{
    private readonly int _maxEventBytes;
    private readonly ArrayBufferWriter<byte> _raw = new(1024);
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly StringBuilder _data = new();
    private bool _hasData;
    private bool _pendingCr;
    private string? _id;
    private string? _type;

    public McpSseReader(int maxEventBytes) => _maxEventBytes = maxEventBytes;

    public bool Oversize { get; private set; }

    /// <summary>Consumes a chunk; complete events are appended to <paramref name="output"/>. Stops at the first oversize event.</summary>
    public void Push(ReadOnlySpan<byte> chunk, List<McpSseEvent> output)
    {
        while (!chunk.IsEmpty && !Oversize)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (chunk[0] == (byte)'\n')
                {
                    _raw.Write(chunk[..1]);
                    chunk = chunk[1..];
                    continue;
                }
            }
            int eol = chunk.IndexOfAny((byte)'\r', (byte)'\n');
            var part = eol < 0 ? chunk : chunk[..eol];
            _raw.Write(part);
            _line.Write(part);
            if (eol >= 0)
            {
                _raw.Write(chunk.Slice(eol, 1));
                _pendingCr = chunk[eol] == (byte)'\r';
                EndLine(output);
                chunk = chunk[(eol + 1)..];
            }
            else chunk = default;
            if (_raw.WrittenCount > _maxEventBytes) Oversize = true;
        }
    }

    /// <summary>
    /// End of stream: the bytes still held when they are only line terminators (the LF of a CRLF that closed the last
    /// event arrives after it was dispatched), so the client gets the stream's exact bytes; an unterminated partial
    /// event is never dispatched and is not returned.
    /// </summary>
    public byte[] Complete()
    {
        var rest = _raw.WrittenSpan;
        return rest.IndexOfAnyExcept((byte)'\r', (byte)'\n') < 0 ? rest.ToArray() : [];
    }

    private void EndLine(List<McpSseEvent> output)
    {
        if (_line.WrittenCount == 0)
        {
            output.Add(new McpSseEvent(_raw.WrittenSpan.ToArray(), _hasData ? _data.ToString(0, _data.Length - 1) : null, _id, _type));
            _raw.Clear();
            _data.Clear();
            _hasData = false;
            _id = null;
            _type = null;
            return;
        }
        var line = _line.WrittenSpan;
        if (line[0] != (byte)':')
        {
            int colon = line.IndexOf((byte)':');
            var name = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? [] : line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ') value = value[1..];
            if (name.SequenceEqual("data"u8))
            {
                _data.Append(Encoding.UTF8.GetString(value)).Append('\n');
                _hasData = true;
            }
            else if (name.SequenceEqual("event"u8)) _type = Encoding.UTF8.GetString(value);
            else if (name.SequenceEqual("id"u8) && value.IndexOf((byte)0) < 0) _id = Encoding.UTF8.GetString(value);
        }
        _line.Clear();
    }

    /// <summary>An event carrying <paramref name="json"/> as its data, keeping the original's id and type (for rewritten or replaced messages).</summary>
    public static byte[] Format(McpSseEvent original, ReadOnlySpan<byte> json)
    {
        var b = new ArrayBufferWriter<byte>(json.Length + 64);
        if (original.EventType is { } t) { b.Write("event: "u8); b.Write(Encoding.UTF8.GetBytes(t)); b.Write("\n"u8); }
        if (original.Id is { } id) { b.Write("id: "u8); b.Write(Encoding.UTF8.GetBytes(id)); b.Write("\n"u8); }
        // Compact JSON has no raw newlines (they are escaped inside strings), so one data line carries it.
        b.Write("data: "u8);
        b.Write(json);
        b.Write("\n\n"u8);
        return b.WrittenSpan.ToArray();
    }
}
