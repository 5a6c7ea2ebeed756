using Pipelock.Agent.Config;
using Pipelock.Certs;

namespace Pipelock.Agent.Forward;

/// <summary>
/// Builds <see cref="TlsBumping"/> from <c>tls_interception</c>: the CA at ca_cert/ca_key (created on first run when
/// both files are missing, so clients can be pointed at it; any other inconsistency refuses to start) and a leaf
/// cache bounded by cert_cache_size with cert_ttl lifetimes.
/// </summary>
public static class TlsSetup
{
    public static TlsBumping Create(TlsInterceptionConfig config, TimeProvider time)
    {
        var options = new CertificateAuthorityOptions
        {
            CaCertPath = config.CaCert,
            CaKeyPath = config.CaKey,
            LeafTtl = config.CertTtl,
            CacheSize = config.CertCacheSize,
            CreateIfMissing = true,
        };
        CertificateAuthority ca;
        try
        {
            ca = CertificateAuthority.LoadOrCreate(options, time);
        }
        catch (CertificateAuthorityException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        var leaves = new LeafCertificateCache(ca, options, time);
        return new TlsBumping(leaves.GetAsync, () => leaves.Count);
    }
}
