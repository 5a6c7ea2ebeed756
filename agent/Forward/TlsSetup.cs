using Pipelock.Agent.Config;
using Pipelock.Certs;

namespace Pipelock.Agent.Forward;

/// <summary>
/// Builds <see cref="TlsBumping"/> from <c>tls_interception</c>: the CA at ca_cert/ca_key (created on first run when
/// both files are missing, so clients can be pointed at it; any other inconsistency refuses to start) and a leaf
/// cache bounded by cert_cache_size with cert_ttl lifetimes. The leaves come from a <see cref="LeafCertificateProvider"/>,
/// so a CA replaced on disk (<c>pipelock ca init --force</c>, a rotated Secret) is picked up within
/// <see cref="CertificateAuthorityOptions.FileCheckInterval"/> and every leaf of the old CA is dropped.
/// </summary>
public static class TlsSetup
{
    /// <summary>The certs/ view of <c>tls_interception</c>; also what a config reload passes to <see cref="LeafCertificateProvider.Reload"/>.</summary>
    public static CertificateAuthorityOptions Options(TlsInterceptionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CertificateAuthorityOptions
        {
            CaCertPath = config.CaCert,
            CaKeyPath = config.CaKey,
            LeafTtl = config.CertTtl,
            CacheSize = config.CertCacheSize,
            CreateIfMissing = true,
        };
    }

    /// <summary>Loads (first run: creates) the CA and its leaf provider. Keep the provider to reload or swap the CA later.</summary>
    /// <exception cref="InvalidOperationException">The CA files cannot be used; the message says which file and why.</exception>
    public static LeafCertificateProvider CreateProvider(TlsInterceptionConfig config, TimeProvider time)
    {
        try
        {
            return LeafCertificateProvider.LoadOrCreate(Options(config), time);
        }
        catch (CertificateAuthorityException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    /// <summary>What the CONNECT layer uses: leaves from <paramref name="provider"/>, whichever CA is current at each handshake.</summary>
    public static TlsBumping Bumping(LeafCertificateProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return new TlsBumping(provider.GetAsync, () => provider.Count);
    }

    public static TlsBumping Create(TlsInterceptionConfig config, TimeProvider time) => Bumping(CreateProvider(config, time));
}
