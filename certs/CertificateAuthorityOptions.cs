namespace Pipelock.Certs;

/// <summary>
/// Where the interception CA lives and how leaves are minted from it (config section <c>tls_interception</c>:
/// <c>ca_cert</c>, <c>ca_key</c>, <c>cert_ttl</c>, <c>cert_cache_size</c>). A narrow record so <c>certs/</c> never
/// reads YAML; the agent maps its config onto it.
/// </summary>
public sealed record CertificateAuthorityOptions
{
    /// <summary>PEM certificate of the CA. A leading <c>~</c> is expanded to $HOME, as Pipelock's config allows.</summary>
    public string CaCertPath { get; init => field = HomePath.Expand(value); } = HomePath.Expand("~/.pipelock/ca.pem");

    /// <summary>PEM private key of the CA (PKCS#8, SEC1 EC or PKCS#1 RSA; unencrypted). Mode must be at most 0640.</summary>
    public string CaKeyPath { get; init => field = HomePath.Expand(value); } = HomePath.Expand("~/.pipelock/ca-key.pem");

    /// <summary>Lifetime of a minted leaf. Short, because a leaf key lives in memory only and hosts are re-minted cheaply.
    /// Capped at 397 days and at the CA's expiry (<see cref="LeafCertificateCache.MaxLeafLifetime"/>).</summary>
    public TimeSpan LeafTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Upper bound on cached leaf contexts, so a client cycling through random SNI names cannot grow memory.</summary>
    public int CacheSize { get; init; } = 10_000;

    /// <summary>
    /// Generate a CA when neither file exists. Off by default: silently minting a new CA would break every client that
    /// trusts the old one, so creation must be asked for (first run, <c>pipelock ca init</c>).
    /// </summary>
    public bool CreateIfMissing { get; init; }

    /// <summary>
    /// How often <see cref="LeafCertificateProvider"/> looks (hash of the small certificate file, stat of the key, on the next handshake) whether the CA files
    /// were replaced, so a rotated CA takes effect and the leaves of the old one are dropped without a restart.
    /// Zero turns the check off (then only an explicit reload swaps the CA).
    /// </summary>
    public TimeSpan FileCheckInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Expands <c>~</c> and <c>~/…</c> to $HOME; <c>~user</c> forms are left alone (no passwd lookups).</summary>
internal static class HomePath
{
    public static string Expand(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] != '~' || (path.Length > 1 && path[1] != '/'))
            return path;
        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path.Length == 1 ? home : Path.Join(home, path.AsSpan(2));
    }
}
