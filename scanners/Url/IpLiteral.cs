using System.Net;
using System.Net.Sockets;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Host-as-IP recognition. Beyond dotted decimal, resolvers and curl accept inet_aton forms (Pipelock's
/// <c>parseAlternativeIP</c>): 1–4 parts, each decimal, 0x-hex or 0-octal, the last part filling the remaining bytes
/// (<c>2130706433</c>, <c>0x7f.1</c>, <c>0177.0.0.1</c>). They are canonicalised so SSRF ranges cannot be dodged.
/// IPv6 zone ids are stripped and IPv4-mapped IPv6 is reduced to IPv4.
/// </summary>
internal static class IpLiteral
{
    public static bool TryParse(ReadOnlySpan<char> host, out IPAddress address)
    {
        address = IPAddress.None;
        if (host.IsEmpty) return false;
        if (host.Contains(':'))
        {
            int zone = host.IndexOf('%');
            if (zone >= 0) host = host[..zone];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            address = Normalize(v6);
            return true;
        }
        if (!char.IsAsciiDigit(host[0])) return false;
        return TryParseInetAton(host, out address);
    }

    /// <summary>Scope id dropped (a zone cannot make an address external) and IPv4-mapped IPv6 unwrapped.</summary>
    public static IPAddress Normalize(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (ip.IsIPv4MappedToIPv6) return ip.MapToIPv4();
            if (ip.ScopeId != 0) return new IPAddress(ip.GetAddressBytes());
        }
        return ip;
    }

    private static bool TryParseInetAton(ReadOnlySpan<char> host, out IPAddress address)
    {
        address = IPAddress.None;
        Span<uint> parts = stackalloc uint[4];
        int count = 0;
        foreach (var range in host.Split('.'))
        {
            if (count == 4) return false;
            if (!TryPart(host[range], out parts[count])) return false;
            count++;
        }
        uint value;
        switch (count)
        {
            case 1: value = parts[0]; break;
            case 2:
                if (parts[0] > 0xFF || parts[1] > 0xFFFFFF) return false;
                value = parts[0] << 24 | parts[1]; break;
            case 3:
                if (parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFFFF) return false;
                value = parts[0] << 24 | parts[1] << 16 | parts[2]; break;
            default:
                if (parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFF || parts[3] > 0xFF) return false;
                value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]; break;
        }
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryPart(ReadOnlySpan<char> p, out uint value)
    {
        value = 0;
        if (p.IsEmpty) return false;
        int radix = 10;
        if (p.Length >= 2 && p[0] == '0' && (p[1] | 0x20) == 'x') { radix = 16; p = p[2..]; if (p.IsEmpty) return true; }
        else if (p.Length >= 2 && p[0] == '0') { radix = 8; p = p[1..]; }
        ulong v = 0;
        foreach (var c in p)
        {
            int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? (c | 0x20) - 'a' + 10 : 99;
            if (d >= radix) return false;
            v = v * (uint)radix + (uint)d;
            if (v > uint.MaxValue) return false;
        }
        value = (uint)v;
        return true;
    }
}
