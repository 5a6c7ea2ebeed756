using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Pipelock.Agent.Operations;

/// <summary>
/// Sends decision-log events to journald over its native protocol (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/): one
/// datagram per entry on <c>/run/systemd/journal/socket</c>, so <c>journalctl -o json</c> shows every event field
/// (PIPELOCK_EVENT, PIPELOCK_SCANNER ...) instead of one opaque MESSAGE. Used only when stdout already goes to the
/// journal (<see cref="ForStdout"/>). Never throws and never waits: the socket is non-blocking, and any failed send
/// (journald gone, queue full, entry too big for a datagram, which would need a memfd) returns false so the caller
/// writes the plain line to stdout instead and no event is lost.
/// </summary>
public sealed partial class JournalSink : IDisposable
{
    public const string DefaultSocketPath = "/run/systemd/journal/socket";

    private const int MaxFieldName = 64;
    private static ReadOnlySpan<byte> Prefix => "PIPELOCK_"u8;

    private readonly Socket _socket;
    // Unconnected sendto each time, like sd-journal: a restarted journald gets a new socket at the same path.
    private readonly SocketAddress _address;

    public JournalSink(string socketPath = DefaultSocketPath)
    {
        // Sends run on the log's background writer, never on a request: in a burst that fills journald's queue
        // (net.unix.max_dgram_qlen) the writer waits up to a second for room rather than dropping to stdout lines
        // without fields at once; a journald that is gone fails at once (ENOENT/ECONNREFUSED) and the line goes to stdout.
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = true, SendTimeout = 1000 };
        // Bigger entries fit in one datagram (the kernel caps this at net.core.wmem_max); larger ones fall back.
        try { _socket.SendBufferSize = 8 << 20; }
        catch (SocketException) { }
        _address = new UnixDomainSocketEndPoint(socketPath).Serialize();
    }

    /// <summary>The send buffer the kernel granted: a datagram larger than this cannot be sent (EMSGSIZE).</summary>
    internal int SendBufferBytes => _socket.SendBufferSize;

    /// <summary>True when journald took the whole entry; false on any failure (the caller then uses stdout).</summary>
    public bool TrySend(ReadOnlySpan<byte> entry)
    {
        try
        {
            return _socket.SendTo(entry, SocketFlags.None, _address) == entry.Length;
        }
        catch (SocketException) { return false; }
        catch (ObjectDisposedException) { return false; }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// The journal sink for this process when its stdout is connected to the journal (systemd's documented check:
    /// JOURNAL_STREAM's device and inode equal those of fd 1), unless PIPELOCK_JOURNAL=0; otherwise null.
    /// </summary>
    public static JournalSink? ForStdout()
    {
        if (!UseForStdout(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), Environment.GetEnvironmentVariable("PIPELOCK_JOURNAL"), 1))
            return null;
        try
        {
            return new JournalSink();
        }
        catch (SocketException) { return null; }
    }

    internal static bool UseForStdout(string? journalStream, string? disable, int fd) =>
        disable != "0" && journalStream is not null && TryDescribe(fd, out var device, out var inode)
        && StreamMatches(journalStream, device, inode);

    /// <summary>JOURNAL_STREAM is "&lt;device&gt;:&lt;inode&gt;" in decimal (systemd writes st_dev and st_ino).</summary>
    internal static bool StreamMatches(string journalStream, ulong device, ulong inode)
    {
        var s = journalStream.AsSpan();
        int colon = s.IndexOf(':');
        return colon > 0
            && ulong.TryParse(s[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            && ulong.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && d == device && i == inode;
    }

    /// <summary>
    /// st_dev and st_ino of a file descriptor. The BCL has no fstat, so this is the one P/Invoke: on 64-bit Linux
    /// (x86_64 and the generic layout of arm64 and others) struct stat starts with the 64-bit st_dev and st_ino.
    /// glibc before 2.33 exports no <c>fstat</c> symbol: then this says false and logs stay plain stdout lines.
    /// </summary>
    internal static unsafe bool TryDescribe(int fd, out ulong device, out ulong inode)
    {
        device = inode = 0;
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return false;
        var stat = stackalloc ulong[32]; // 256 bytes: larger than struct stat on every 64-bit Linux ABI (128-144)
        try
        {
            if (FStat(fd, stat) != 0) return false;
        }
        catch (EntryPointNotFoundException) { return false; }
        catch (DllNotFoundException) { return false; }
        device = stat[0];
        inode = stat[1];
        return true;
    }

    [LibraryImport("libc", EntryPoint = "fstat")]
    private static unsafe partial int FStat(int fd, ulong* stat);

    /// <summary>PRIORITY (syslog numbers) for a decision-log level.</summary>
    internal static int Priority(string level) => level switch
    {
        "error" => 3,
        "warn" => 4,
        "debug" => 7,
        _ => 6,
    };

    /// <summary>
    /// One journal entry for a JSON event: MESSAGE (the one-line summary), PRIORITY, SYSLOG_IDENTIFIER=pipelock, and
    /// each top-level JSON field as PIPELOCK_&lt;NAME&gt; (strings unescaped, arrays and objects as compact JSON).
    /// </summary>
    public static byte[] Entry(ReadOnlySpan<byte> json, string message, string level)
    {
        var w = new ArrayBufferWriter<byte>(json.Length + message.Length + 256);
        Span<byte> scratch = stackalloc byte[16];
        Field(w, "MESSAGE"u8, Utf8(message));
        Priority(level).TryFormat(scratch, out int n, provider: CultureInfo.InvariantCulture);
        Field(w, "PRIORITY"u8, scratch[..n]);
        Field(w, "SYSLOG_IDENTIFIER"u8, "pipelock"u8);

        Span<byte> name = stackalloc byte[MaxFieldName];
        byte[]? rented = null;
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return w.WrittenSpan.ToArray();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int nameLength = r.ValueIsEscaped ? FieldName(Utf8(r.GetString()!), name) : FieldName(r.ValueSpan, name);
            r.Read();
            ReadOnlySpan<byte> value;
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    int start = (int)r.TokenStartIndex;
                    r.Skip();
                    value = json[start..(int)r.BytesConsumed];
                    break;
                case JsonTokenType.String when r.ValueIsEscaped:
                    if (rented is null || rented.Length < r.ValueSpan.Length)
                    {
                        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
                        rented = ArrayPool<byte>.Shared.Rent(r.ValueSpan.Length);
                    }
                    value = rented.AsSpan(0, r.CopyString(rented));
                    break;
                default:
                    value = r.ValueSpan; // unescaped string, number, true, false, null: the bytes as written
                    break;
            }
            Field(w, name[..nameLength], value);
        }
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>
    /// PIPELOCK_ + the name upper-cased, every character outside [A-Z0-9_] as '_' (journald's field-name rules; the
    /// prefix makes the first character a letter), cut to journald's 64 characters.
    /// </summary>
    internal static int FieldName(ReadOnlySpan<byte> utf8Name, Span<byte> dest)
    {
        Prefix.CopyTo(dest);
        int n = Prefix.Length;
        while (!utf8Name.IsEmpty && n < MaxFieldName)
        {
            System.Text.Rune.DecodeFromUtf8(utf8Name, out var rune, out int used);
            int c = rune.Value;
            dest[n++] = c is >= 'a' and <= 'z' ? (byte)(c - 32) : c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? (byte)c : (byte)'_';
            utf8Name = utf8Name[Math.Max(used, 1)..];
        }
        return n;
    }

    internal static string FieldName(string name)
    {
        Span<byte> dest = stackalloc byte[MaxFieldName];
        return Encoding.ASCII.GetString(dest[..FieldName(Utf8(name), dest)]);
    }

    /// <summary>KEY=value\n, or for a value with a newline the binary form: KEY\n, 64-bit LE length, bytes, \n.</summary>
    private static void Field(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        w.Write(key);
        if (!value.Contains((byte)'\n'))
        {
            w.Write("="u8);
        }
        else
        {
            w.Write("\n"u8);
            BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), (ulong)value.Length);
            w.Advance(8);
        }
        w.Write(value);
        w.Write("\n"u8);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
