using System.Net;
using System.Net.Sockets;

namespace Pipelock.Interceptor.Transparent;

/// <summary>
/// Socket options of transparent interception: IP_TRANSPARENT on the TPROXY listener (before bind, or the kernel
/// never delivers foreign-addressed packets to it) and SO_MARK on every upstream socket the agent opens, which the
/// redirect rules skip: the agent's own connections can never be recaptured, so a loop cannot happen by construction.
/// </summary>
public static class TransparentSockets
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SolSocket = 1;
    private const int IpTransparent = 19;
    private const int Ipv6Transparent = 75;
    private const int SoMark = 36;

    /// <summary>The mark on the agent's upstream sockets; the interception rules return early for it.</summary>
    public const int UpstreamMark = (int)Rules.TransparentMarks.Upstream;

    /// <summary>True when this process may set SO_MARK (CAP_NET_ADMIN): transparent interception needs it.</summary>
    public static bool CanMark(out string? error)
    {
        error = null;
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            MarkUpstream(probe, UpstreamMark);
            return true;
        }
        catch (SocketException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>A dual-stack listening socket bound to <paramref name="endpoint"/>, transparent when <paramref name="transparent"/>.</summary>
    public static Socket CreateListener(IPEndPoint endpoint, bool transparent)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (transparent)
            {
                socket.SetRawSocketOption(SolIp, IpTransparent, BitConverter.GetBytes(1));
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.SetRawSocketOption(SolIpv6, Ipv6Transparent, BitConverter.GetBytes(1));
            }
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Marks an upstream socket so the interception rules let it pass (needs CAP_NET_ADMIN).</summary>
    public static void MarkUpstream(Socket socket, int mark) => socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(mark));
}
