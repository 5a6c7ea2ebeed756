using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pipelock.Interceptor.Tls;

/// <summary>Outcome of peeking at the first bytes of a connection.</summary>
public enum ClientHelloStatus
{
    /// <summary>A complete ClientHello was read.</summary>
    Complete,
    /// <summary>Looks like TLS but more bytes are needed.</summary>
    NeedMore,
    /// <summary>Not a TLS handshake (plain HTTP or anything else).</summary>
    NotTls,
}

/// <summary>
/// Reads the server name (SNI) and ALPN list from a TLS ClientHello without consuming it, so a connection can be
/// judged (splice or bump, SNI matches the CONNECT host?) before any byte is forwarded. Only the first handshake
/// record is read; a ClientHello split over several records (rare, post-quantum key shares) is reassembled up to
/// <see cref="MaxHelloBytes"/>.
/// </summary>
public sealed class ClientHello
{
    public const int MaxHelloBytes = 16 * 1024;

    private ClientHello(string? serverName, IReadOnlyList<string> alpn)
    {
        ServerName = serverName;
        Alpn = alpn;
    }

    /// <summary>The host_name entry of server_name (lower-case), or null when absent.</summary>
    public string? ServerName { get; }

    public IReadOnlyList<string> Alpn { get; }

    public static ClientHelloStatus TryParse(ReadOnlySequence<byte> buffer, out ClientHello? hello)
    {
        hello = null;
        if (buffer.Length < 1) return ClientHelloStatus.NeedMore;
        if (buffer.FirstSpan[0] != 0x16) return ClientHelloStatus.NotTls;
        // Reassemble the handshake message from consecutive handshake records.
        var handshake = new byte[Math.Min(buffer.Length, MaxHelloBytes + 5)];
        int have = 0;
        var reader = new SequenceReader<byte>(buffer);
        int needed = -1;
        while (true)
        {
            if (reader.Remaining < 5) return ClientHelloStatus.NeedMore;
            reader.TryRead(out byte type);
            reader.TryRead(out byte major);
            reader.TryRead(out byte _);
            reader.TryReadBigEndian(out short len);
            if (type != 0x16 || major != 3 || len <= 0) return ClientHelloStatus.NotTls;
            if (reader.Remaining < len) return ClientHelloStatus.NeedMore;
            if (have + len > handshake.Length) Array.Resize(ref handshake, Math.Min(have + len, MaxHelloBytes + 5));
            if (have + len > MaxHelloBytes + 4) return ClientHelloStatus.NotTls;
            reader.TryCopyTo(handshake.AsSpan(have, len));
            reader.Advance(len);
            have += len;
            if (needed < 0 && have >= 4)
            {
                if (handshake[0] != 0x01) return ClientHelloStatus.NotTls;
                needed = 4 + (handshake[1] << 16 | handshake[2] << 8 | handshake[3]);
                if (needed > MaxHelloBytes) return ClientHelloStatus.NotTls;
            }
            if (needed >= 0 && have >= needed) break;
        }
        return Parse(handshake.AsSpan(4, needed - 4), out hello) ? ClientHelloStatus.Complete : ClientHelloStatus.NotTls;
    }

    private static bool Parse(ReadOnlySpan<byte> body, out ClientHello? hello)
    {
        hello = null;
        // version(2) random(32) session_id<1> cipher_suites<2> compression<1> extensions<2>
        int p = 34;
        if (!Skip8(body, ref p) || !Skip16(body, ref p) || !Skip8(body, ref p)) return false;
        string? sni = null;
        var alpn = new List<string>();
        if (p + 2 <= body.Length)
        {
            int extLen = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
            p += 2;
            if (p + extLen > body.Length) return false;
            var ext = body.Slice(p, extLen);
            int q = 0;
            while (q + 4 <= ext.Length)
            {
                int type = BinaryPrimitives.ReadUInt16BigEndian(ext[q..]);
                int len = BinaryPrimitives.ReadUInt16BigEndian(ext[(q + 2)..]);
                q += 4;
                if (q + len > ext.Length) return false;
                var data = ext.Slice(q, len);
                q += len;
                if (type == 0x0000) sni = ReadServerName(data);
                else if (type == 0x0010) ReadAlpn(data, alpn);
            }
        }
        hello = new ClientHello(sni, alpn);
        return true;
    }

    private static string? ReadServerName(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2) return null;
        int listLen = BinaryPrimitives.ReadUInt16BigEndian(data);
        var list = data.Slice(2, Math.Min(listLen, data.Length - 2));
        int p = 0;
        while (p + 3 <= list.Length)
        {
            byte nameType = list[p];
            int len = BinaryPrimitives.ReadUInt16BigEndian(list[(p + 1)..]);
            p += 3;
            if (p + len > list.Length) return null;
            if (nameType == 0)
            {
                var name = list.Slice(p, len);
                foreach (var b in name) if (b is < 0x21 or > 0x7e) return null;
                return Encoding.ASCII.GetString(name).TrimEnd('.').ToLowerInvariant();
            }
            p += len;
        }
        return null;
    }

    private static void ReadAlpn(ReadOnlySpan<byte> data, List<string> into)
    {
        if (data.Length < 2) return;
        int p = 2;
        while (p < data.Length)
        {
            int len = data[p++];
            if (p + len > data.Length) return;
            into.Add(Encoding.ASCII.GetString(data.Slice(p, len)));
            p += len;
        }
    }

    private static bool Skip8(ReadOnlySpan<byte> b, ref int p)
    {
        if (p + 1 > b.Length) return false;
        p += 1 + b[p];
        return p <= b.Length;
    }

    private static bool Skip16(ReadOnlySpan<byte> b, ref int p)
    {
        if (p + 2 > b.Length) return false;
        p += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[p..]);
        return p <= b.Length;
    }
}
