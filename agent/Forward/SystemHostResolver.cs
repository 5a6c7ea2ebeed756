using System.Net;
using System.Net.Sockets;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Forward;

/// <summary>The URL scanner's SSRF resolver over the system resolver (getaddrinfo), bounded by a timeout.</summary>
public sealed class SystemHostResolver : IHostResolver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Timeout);
        try
        {
            return await Dns.GetHostAddressesAsync(host, AddressFamily.Unspecified, cts.Token).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
