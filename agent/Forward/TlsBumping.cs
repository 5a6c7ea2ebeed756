using System.Net.Security;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Forward;

/// <summary>
/// What the CONNECT layer needs to terminate TLS: a leaf certificate per host (minted by the CA in <c>certs/</c>) and
/// the hosts that must be spliced instead (<c>passthrough_domains</c>: pinned clients, registries, LLM APIs).
/// </summary>
public sealed class TlsBumping
{
    private readonly Func<string, CancellationToken, ValueTask<SslStreamCertificateContext>> _leaf;
    private readonly DomainPatternSet _passthrough;

    public TlsBumping(Func<string, CancellationToken, ValueTask<SslStreamCertificateContext>> leaf, IEnumerable<string> passthroughDomains, Func<int>? cacheSize = null)
    {
        _leaf = leaf;
        _passthrough = new DomainPatternSet(passthroughDomains);
        CacheSize = cacheSize ?? (() => 0);
    }

    public Func<int> CacheSize { get; }

    public bool IsPassthrough(string host) => !_passthrough.IsEmpty && _passthrough.Matches(host);

    public ValueTask<SslStreamCertificateContext> LeafFor(string host, CancellationToken ct) => _leaf(host, ct);
}

/// <summary>
/// Connection feature set on a bumped CONNECT tunnel: the decrypted requests on it go to this origin, through the
/// addresses the URL scanner checked when the tunnel was opened.
/// </summary>
public sealed record TunnelTarget(string Host, int Port, IReadOnlyList<System.Net.IPAddress> Addresses, string Authority);
