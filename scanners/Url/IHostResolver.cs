using System.Net;

namespace Pipelock.Scanners.Url;

/// <summary>
/// DNS lookup for the SSRF layer. The agent implements it (system resolver, DoH, ...); the scanner stays socket-free.
/// Must throw or return an empty list on failure: both fail closed.
/// </summary>
public interface IHostResolver
{
    ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);
}
