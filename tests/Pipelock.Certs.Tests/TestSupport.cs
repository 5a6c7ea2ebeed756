using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

// The appliance runs on Linux; these tests check POSIX file modes and OpenSSL behaviour, so they claim no Windows support.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

namespace Pipelock.Certs.Tests;

/// <summary>A temp directory per test, removed afterwards; CA files never touch $HOME.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Join(System.IO.Path.GetTempPath(), "pipelock-certs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Join(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A clock the test moves by hand (Microsoft.Extensions.TimeProvider.Testing is not referenced; this is all we need).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    // Timestamps follow the manual clock too, so interval checks (CA file re-checks) move only when the test says so.
    public override long GetTimestamp() => Interlocked.Read(ref _utcTicks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);

    public void Set(DateTimeOffset to) => Interlocked.Exchange(ref _utcTicks, to.UtcTicks);
}

internal static class TestCerts
{
    // A whole second, because certificates store times with second precision.
    public static readonly DateTimeOffset Epoch = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static CertificateAuthorityOptions Options(TempDir dir, bool create = true, TimeSpan? ttl = null, int cacheSize = 10_000) => new()
    {
        CaCertPath = dir.File("ca.pem"),
        CaKeyPath = dir.File("ca-key.pem"),
        CreateIfMissing = create,
        LeafTtl = ttl ?? TimeSpan.FromHours(24),
        CacheSize = cacheSize,
    };

    /// <summary>Writes a self-signed certificate and its key as PEM files (key 0600) with whatever extensions the case needs.</summary>
    public static void WriteSelfSigned(string certPath, string keyPath, AsymmetricAlgorithm key, Action<CertificateRequest>? extensions,
        DateTimeOffset notBefore, DateTimeOffset notAfter, Func<AsymmetricAlgorithm, string>? keyPem = null)
    {
        CertificateRequest req = key switch
        {
            ECDsa ec => new CertificateRequest("CN=Test CA", ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest("CN=Test CA", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key"),
        };
        extensions?.Invoke(req);
        using X509Certificate2 cert = req.CreateSelfSigned(notBefore, notAfter);
        System.IO.File.WriteAllText(certPath, cert.ExportCertificatePem());
        WriteKey(keyPath, keyPem is null ? key.ExportPkcs8PrivateKeyPem() : keyPem(key));
    }

    public static void WriteKey(string keyPath, string pem)
    {
        System.IO.File.WriteAllText(keyPath, pem);
        System.IO.File.SetUnixFileMode(keyPath, Mode0600);
    }

    public static void AddCaExtensions(CertificateRequest req)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
    }

    /// <summary>Builds the leaf's chain trusting only <paramref name="ca"/>, revocation off, at <paramref name="at"/>.</summary>
    public static (bool Ok, string Status, int Length) BuildChain(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        bool ok = chain.Build(leaf);
        string status = string.Join(", ", chain.ChainStatus.Select(s => s.Status + ": " + s.StatusInformation.Trim()));
        return (ok, status, chain.ChainElements.Count);
    }

    public static X509SubjectAlternativeNameExtension San(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
}
