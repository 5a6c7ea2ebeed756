using System.Buffers;
using System.Text;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The head of an HTTP/1.1 <c>CONNECT host:port</c> request, parsed from the connection's first bytes. Kestrel
/// does not implement CONNECT tunnels, so the forward listener's connection layer reads this head itself and
/// either answers it or hands the connection on to Kestrel's HTTP layer untouched.
/// </summary>
public sealed record ConnectRequestHead(string Host, int Port, string Authority, string? UserAgent)
{
    public const int MaxHeadBytes = 16 * 1024;
    private static ReadOnlySpan<byte> Connect => "CONNECT "u8;
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>True when the buffer starts with "CONNECT " (null when too short to tell).</summary>
    public static bool? IsConnect(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < Connect.Length)
        {
            Span<byte> partial = stackalloc byte[(int)buffer.Length];
            buffer.CopyTo(partial);
            return Connect.StartsWith(partial) ? null : false;
        }
        Span<byte> head = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(head);
        return head.SequenceEqual(Connect);
    }

    /// <summary>
    /// Finds the end of the head. Returns the position after CRLFCRLF, or null when more bytes are needed.
    /// </summary>
    public static SequencePosition? FindEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out ReadOnlySequence<byte> _, HeadEnd, advancePastDelimiter: true)) return reader.Position;
        return null;
    }

    /// <summary>Parses the head; null with a reason when it is not a valid CONNECT request.</summary>
    public static ConnectRequestHead? Parse(ReadOnlySequence<byte> head, out string? error)
    {
        error = null;
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0] != "CONNECT" || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            error = "malformed CONNECT request line";
            return null;
        }
        var authority = parts[1];
        string host;
        string portText;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0 || close + 1 >= authority.Length || authority[close + 1] != ':') { error = "CONNECT target must be host:port"; return null; }
            host = authority[1..close];
            portText = authority[(close + 2)..];
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            if (colon <= 0) { error = "CONNECT target must be host:port"; return null; }
            host = authority[..colon];
            portText = authority[(colon + 1)..];
        }
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = "CONNECT port must be 1-65535";
            return null;
        }
        if (host.Length == 0 || host.AsSpan().IndexOfAny("/?#@ \t") >= 0)
        {
            error = "CONNECT host is not a host name";
            return null;
        }
        string? userAgent = null;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("User-Agent:", StringComparison.OrdinalIgnoreCase)) userAgent = lines[i][11..].Trim();
        }
        return new ConnectRequestHead(host.TrimEnd('.').ToLowerInvariant(), port, authority, userAgent);
    }
}
