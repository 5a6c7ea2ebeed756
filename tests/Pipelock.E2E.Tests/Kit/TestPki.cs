using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// A throwaway root CA (BCL only, ECDSA P-256) and server certificates it signs, for upstreams of the test's own.
/// Its PEM files live in a temp directory deleted on dispose: <see cref="CaPemPath"/> goes to the agent's
/// <c>tls_interception.upstream_ca_file</c>, to curl's <c>--cacert</c> and to Ruby's <c>SSL_CERT_FILE</c>.
/// </summary>
public sealed class TestPki : IDisposable
{
    public const string SystemBundlePath = "/etc/ssl/certs/ca-certificates.crt";

    private readonly ECDsa _caKey;
    private int _files;

    private TestPki(string directory, X509Certificate2 ca, ECDsa caKey)
    {
        Directory = directory;
        CaCertificate = ca;
        _caKey = caKey;
        CaPemPath = Path.Combine(directory, "ca.pem");
        CaKeyPemPath = Path.Combine(directory, "ca-key.pem");
        File.WriteAllText(CaPemPath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(CaKeyPemPath, caKey.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public string Directory { get; }

    /// <summary>The root, with its private key.</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaPemPath { get; }

    /// <summary>The root's key as unencrypted PKCS#8 PEM, for a test that hands this CA to the agent for interception.</summary>
    public string CaKeyPemPath { get; }

    public static TestPki Create(string commonName = "Pipelock E2E Test Root")
    {
        var dir = Path.Combine(Path.GetTempPath(), "pipelock-e2e-pki-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(new X500DistinguishedName("CN=" + commonName + ", O=Pipelock tests"), key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = req.CreateSelfSigned(now.AddHours(-1), now.AddDays(7));
        return new TestPki(dir, ca, key);
    }

    /// <summary>
    /// A leaf for TLS servers (serverAuth), with each of <paramref name="namesOrAddresses"/> as a DNS or IP SAN
    /// (e.g. "upstream.test", "localhost", "127.0.0.1"); the first is also the CN. Carries its private key, ready for Kestrel.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(params string[] namesOrAddresses) => IssueServerCertificate(null, namesOrAddresses);

    /// <summary>As <see cref="IssueServerCertificate(string[])"/>, valid over <paramref name="validity"/> when given (e.g. already expired; must lie within the CA's).</summary>
    public X509Certificate2 IssueServerCertificate((DateTimeOffset NotBefore, DateTimeOffset NotAfter)? validity, params string[] namesOrAddresses)
    {
        if (namesOrAddresses.Length == 0) throw new ArgumentException("at least one name", nameof(namesOrAddresses));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(new X500DistinguishedName("CN=" + namesOrAddresses[0]), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in namesOrAddresses)
        {
            if (IPAddress.TryParse(n, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(n);
        }
        req.CertificateExtensions.Add(san.Build(false));
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(CaCertificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive
        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = validity ?? (now.AddHours(-1), now.AddDays(2));
        using var signed = req.Create(CaCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), notBefore, notAfter, serial);
        // Round-trip through PKCS#12 so the key is a persisted-style key that SslStream accepts on every platform.
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Writes a bundle = the system bundle (when <paramref name="includeSystem"/>) + this CA + <paramref name="extraCaPemFiles"/>
    /// and returns its path: what a client needs in SSL_CERT_FILE to trust both the public web and test-made CAs
    /// (e.g. the agent's interception CA).
    /// </summary>
    public string WriteBundle(IEnumerable<string>? extraCaPemFiles = null, bool includeSystem = true)
    {
        var path = Path.Combine(Directory, $"bundle-{Interlocked.Increment(ref _files)}.pem");
        WriteBundle(path, new[] { CaPemPath }.Concat(extraCaPemFiles ?? []), includeSystem);
        return path;
    }

    /// <summary>Writes system bundle (optional) + the given PEM files, concatenated, to <paramref name="path"/>.</summary>
    public static void WriteBundle(string path, IEnumerable<string> caPemFiles, bool includeSystem = true)
    {
        var sb = new StringBuilder();
        if (includeSystem) AppendPem(sb, File.ReadAllText(SystemBundlePath));
        foreach (var f in caPemFiles) AppendPem(sb, File.ReadAllText(f));
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes a certificate (no key) as PEM into this PKI's directory and returns the path.</summary>
    public string WritePem(X509Certificate2 certificate, string name)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return path;
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        _caKey.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void AppendPem(StringBuilder sb, string pem)
    {
        sb.Append(pem);
        if (pem.Length > 0 && pem[^1] != '\n') sb.Append('\n');
    }
}
