using System.Net;
using System.Net.Sockets;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// A loopback TCP port that was free a moment ago: bind 127.0.0.1:0, read the port, release it. For processes that
/// must be told a port up front (the agent's listeners); servers of our own listen on port 0 directly instead.
/// </summary>
public static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
