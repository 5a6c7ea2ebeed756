using System.Net.Security;

namespace Pipelock.Agent.Forward;

/// <summary>
/// What the CONNECT layer needs to terminate TLS: a leaf certificate per host (minted by the CA in <c>certs/</c>) and
/// nothing else: which hosts are spliced instead (<c>passthrough_domains</c>) is read from the current config snapshot.
/// </summary>
public sealed class TlsBumping
{
    private readonly Func<string, CancellationToken, ValueTask<SslStreamCertificateContext>> _leaf;

    public TlsBumping(Func<string, CancellationToken, ValueTask<SslStreamCertificateContext>> leaf, Func<int>? cacheSize = null)
    {
        _leaf = leaf;
        CacheSize = cacheSize ?? (() => 0);
    }

    public Func<int> CacheSize { get; }

    public ValueTask<SslStreamCertificateContext> LeafFor(string host, CancellationToken ct) => _leaf(host, ct);
}

/// <summary>
/// Connection feature set on a bumped CONNECT tunnel: the decrypted requests on it go to this origin, through the
/// addresses the URL scanner checked when the tunnel was opened.
/// </summary>
public sealed record TunnelTarget(string Host, int Port, IReadOnlyList<System.Net.IPAddress> Addresses, string Authority);
