using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Tmds.Linux;

namespace Pipelock.Interceptor.Transparent;

/// <summary>How a connection reached the transparent listener.</summary>
public enum InterceptionKind
{
    /// <summary>nftables/iptables REDIRECT (local traffic): the original destination is in conntrack (SO_ORIGINAL_DST).</summary>
    Redirect,
    /// <summary>TPROXY (gateway traffic): the accepted socket's local endpoint IS the original destination.</summary>
    Tproxy,
    /// <summary>Someone connected to the listener's own address directly: there is no other destination.</summary>
    Direct,
}

/// <summary>
/// Reads where an intercepted connection was going. TPROXY keeps the original address as the socket's local
/// endpoint; REDIRECT rewrites it to the listener, and conntrack remembers the original (getsockopt SO_ORIGINAL_DST).
/// The getsockopt goes through libc on the raw descriptor, not Socket.GetRawSocketOption: a failed managed call marks
/// the Socket disconnected (reference §4.4), which would break the connection we are about to serve.
/// </summary>
public static class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;

    /// <summary>
    /// The original destination of <paramref name="socket"/> accepted on a listener bound to <paramref name="listenPort"/>.
    /// A local endpoint on another port can only come from TPROXY; one on the listener's port came through REDIRECT
    /// (or straight to us: <see cref="InterceptionKind.Direct"/>, which the caller refuses, since relaying it would loop).
    /// </summary>
    public static (IPEndPoint Destination, InterceptionKind Kind) Read(Socket socket, int listenPort)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var localAddress = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        if (local.Port != listenPort) return (new IPEndPoint(localAddress, local.Port), InterceptionKind.Tproxy);
        var original = TryGetSoOriginalDst(socket, localAddress.AddressFamily);
        if (original is null || (original.Port == listenPort && IsLocal(original.Address, localAddress)))
            return (new IPEndPoint(localAddress, local.Port), InterceptionKind.Direct);
        return (original, InterceptionKind.Redirect);
    }

    private static bool IsLocal(IPAddress original, IPAddress local) =>
        IPAddress.IsLoopback(original) || original.Equals(local);

    /// <summary>SO_ORIGINAL_DST for the socket's family (by the local address form, mitmproxy's rule); null when absent.</summary>
    public static unsafe IPEndPoint? TryGetSoOriginalDst(Socket socket, AddressFamily family)
    {
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        byte* buffer = stackalloc byte[28];
        socklen_t length = 28;
        if (family == AddressFamily.InterNetwork)
        {
            if (LibC.getsockopt(fd, SolIp, SoOriginalDst, buffer, &length) != 0 || length < 8) return null;
            var span = new ReadOnlySpan<byte>(buffer, 16);
            return new IPEndPoint(new IPAddress(span.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2, 2)));
        }
        else
        {
            if (LibC.getsockopt(fd, SolIpv6, SoOriginalDst, buffer, &length) != 0 || length < 24) return null;
            var span = new ReadOnlySpan<byte>(buffer, 28);
            var address = new IPAddress(span.Slice(8, 16));
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            return new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(span.Slice(2, 2)));
        }
    }
}
