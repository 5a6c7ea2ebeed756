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
/// <param name="Transparent">True for an intercepted flow: <paramref name="Addresses"/> is the original destination the
/// client dialled, which the SSRF layer judges and the proxy dials (never a fresh DNS answer).</param>
/// <param name="Scheme">"https" for bumped TLS, "http" for plain HTTP caught on an intercepted port.</param>
/// <param name="Sni">The server name the client sent (null when none, or when it was an IP literal).</param>
public sealed record TunnelTarget(string Host, int Port, IReadOnlyList<System.Net.IPAddress> Addresses, string Authority,
    bool Transparent = false, string Scheme = "https", string? Sni = null);
