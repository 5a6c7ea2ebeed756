using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs;

/// <summary>
/// The interception CA: loads (or, on request, creates) the CA certificate and key that sign every forged leaf.
/// It exists so the forward proxy's CONNECT bump and the transparent interceptor share one CA with one set of checks:
/// a key that others can read, a key that does not match, or a certificate that is not a CA is refused at start,
/// not discovered at the first handshake.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    // Pipelock's rule for ca_key: at most 0640. Group write/execute and any "other" bit are refused.
    private const UnixFileMode ForbiddenKeyBits =
        UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;                     // 0600
    private const UnixFileMode CertFileMode = KeyFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;     // 0644
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute; // 0700

    private readonly AsymmetricAlgorithm _key;
    private readonly X509SignatureGenerator _signer;
    // X509SignatureGenerator/AsymmetricAlgorithm instances are not documented as thread-safe; signing is ~0.3 ms,
    // so serialising it costs little and removes the question.
    private readonly Lock _signLock = new();

    private CertificateAuthority(X509Certificate2 publicCert, AsymmetricAlgorithm key)
    {
        Certificate = publicCert;
        _key = key;
        _signer = key switch
        {
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new CertificateAuthorityException($"CA key algorithm {key.GetType().Name} is not supported (use ECDSA or RSA)."),
        };
        SubjectKeyIdentifier = FindSubjectKeyIdentifier(publicCert);
    }

    /// <summary>The CA certificate without its private key: safe to hand to chain builders, exporters and clients.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA's SKI extension, if present; leaves copy it into their AKI (recomputing it can mismatch, see mitmproxy).</summary>
    internal X509SubjectKeyIdentifierExtension? SubjectKeyIdentifier { get; }

    /// <summary>The CA certificate as PEM, for <c>SSL_CERT_FILE</c> bundles and trust-store installation.</summary>
    public string ExportCertificatePem() => Certificate.ExportCertificatePem();

    /// <summary>SHA-256 of the certificate, as <c>openssl x509 -fingerprint -sha256</c> prints it. Identifies the CA
    /// across reloads (a swap to a different fingerprint flushes every cached leaf) and for operators comparing trust stores.</summary>
    public string Fingerprint => FingerprintOf(Certificate);

    /// <summary>Colon-separated upper-case SHA-256 fingerprint of <paramref name="cert"/>.</summary>
    public static string FingerprintOf(X509Certificate2 cert)
    {
        ArgumentNullException.ThrowIfNull(cert);
        byte[] hash = cert.GetCertHash(HashAlgorithmName.SHA256);
        return string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>"ECDSA P-256", "RSA 2048", ...: what <c>pipelock ca show</c> prints as the key type.</summary>
    public static string DescribeKey(X509Certificate2 cert)
    {
        ArgumentNullException.ThrowIfNull(cert);
        using (ECDsa? ec = cert.GetECDsaPublicKey())
        {
            if (ec is not null)
                return ec.KeySize switch { 256 => "ECDSA P-256", 384 => "ECDSA P-384", 521 => "ECDSA P-521", int n => $"ECDSA {n}-bit" };
        }
        using (RSA? rsa = cert.GetRSAPublicKey())
        {
            if (rsa is not null)
                return $"RSA {rsa.KeySize}";
        }
        return cert.PublicKey.Oid.FriendlyName ?? cert.PublicKey.Oid.Value ?? "unknown";
    }

    /// <summary>
    /// Loads only the CA certificate and checks that it is a usable, unexpired CA. For exporting and installing it,
    /// which must work for users who may not read the key (it is 0600 and owned by the service user).
    /// </summary>
    /// <exception cref="CertificateAuthorityException">Missing, unreadable, not a CA, or expired.</exception>
    public static X509Certificate2 LoadCertificate(string certPath, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(certPath);
        certPath = HomePath.Expand(certPath);
        if (!File.Exists(certPath))
            throw new CertificateAuthorityException($"CA certificate {certPath} does not exist. Create a CA with 'pipelock ca init'.");
        X509Certificate2 cert = ReadCertificate(certPath);
        try
        {
            CheckIsCa(cert, certPath, time ?? TimeProvider.System);
            return cert;
        }
        catch
        {
            cert.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a new ECDSA P-256 CA to the option paths and loads it. Without <paramref name="overwrite"/> it refuses when
    /// either file exists (clients trust the existing certificate); with it, both files are replaced by atomic renames,
    /// key first. It is the explicit operator action behind <c>pipelock ca init [--force]</c>.
    /// </summary>
    /// <exception cref="CertificateAuthorityException">A file exists and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public static CertificateAuthority Create(CertificateAuthorityOptions o, bool overwrite, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        time ??= TimeProvider.System;
        if (!overwrite)
        {
            foreach (string existing in new[] { o.CaCertPath, o.CaKeyPath }.Where(File.Exists))
                throw new CertificateAuthorityException(
                    $"{existing} already exists; clients may trust that CA. Replace it only on purpose (pipelock ca init --force).");
        }
        Create(o.CaCertPath, o.CaKeyPath, time, overwrite);
        return Load(o.CaCertPath, o.CaKeyPath, time);
    }

    /// <summary>
    /// Loads the CA from <see cref="CertificateAuthorityOptions.CaCertPath"/> and <see cref="CertificateAuthorityOptions.CaKeyPath"/>,
    /// or creates an ECDSA P-256 CA there when both are missing and <see cref="CertificateAuthorityOptions.CreateIfMissing"/> is set.
    /// </summary>
    /// <exception cref="CertificateAuthorityException">The files are missing, inconsistent, unsafe or not a usable CA.</exception>
    public static CertificateAuthority LoadOrCreate(CertificateAuthorityOptions o, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        time ??= TimeProvider.System;
        string certPath = o.CaCertPath, keyPath = o.CaKeyPath;
        bool certExists = File.Exists(certPath), keyExists = File.Exists(keyPath);

        if (!certExists && !keyExists)
        {
            if (!o.CreateIfMissing)
                throw new CertificateAuthorityException(
                    $"CA certificate {certPath} and key {keyPath} do not exist. Create them with 'pipelock ca init' or allow creation.");
            Create(certPath, keyPath, time, overwrite: false);
        }
        else if (!keyExists)
        {
            // Never create a new key next to an existing certificate: clients trust that certificate, a new key cannot match it.
            throw new CertificateAuthorityException(
                $"CA key {keyPath} does not exist but CA certificate {certPath} does. Restore the key or remove the certificate to create a new CA.");
        }
        else if (!certExists)
        {
            throw new CertificateAuthorityException(
                $"CA certificate {certPath} does not exist but CA key {keyPath} does. Restore the certificate or remove the key to create a new CA.");
        }

        return Load(certPath, keyPath, time);
    }

    private static CertificateAuthority Load(string certPath, string keyPath, TimeProvider time)
    {
        CheckKeyFileMode(keyPath);

        // Load the certificate alone first so "not a CA" and "expired" are reported as such, not as a key problem.
        X509Certificate2 publicCert = ReadCertificate(certPath);
        try
        {
            CheckIsCa(publicCert, certPath, time);

            // CreateFromPemFile reads PKCS#8, SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY", and checks the key matches.
            using X509Certificate2 withKey = LoadWithKey(certPath, keyPath);
            AsymmetricAlgorithm key = (AsymmetricAlgorithm?)withKey.GetECDsaPrivateKey() ?? withKey.GetRSAPrivateKey()
                ?? throw new CertificateAuthorityException($"CA key {keyPath} is neither ECDSA nor RSA; only those can sign leaves.");
            return new CertificateAuthority(publicCert, key);
        }
        catch
        {
            publicCert.Dispose();
            throw;
        }
    }

    private static X509Certificate2 ReadCertificate(string certPath)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(certPath);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"CA certificate {certPath} is not a readable PEM or DER certificate: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"CA certificate {certPath} cannot be read: {e.Message}", e);
        }
    }

    private static X509Certificate2 LoadWithKey(string certPath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (ArgumentException e)
        {
            // The BCL signals "key does not match the certificate" with ArgumentException (parameter privateKey).
            throw new CertificateAuthorityException(
                $"CA key {keyPath} does not match the public key of CA certificate {certPath}.", e);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException(
                $"CA key {keyPath} is not a readable unencrypted PEM private key (PKCS#8, EC or RSA) matching {certPath}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Typically a non-root user looking at the service user's 0600 key: say whose file it is, not "invalid".
            throw new CertificateAuthorityException(
                $"CA key {keyPath} cannot be read by this user ({e.Message}); run as root or as the service user that owns it.", e);
        }
    }

    private static void CheckKeyFileMode(string keyPath)
    {
        if (OperatingSystem.IsWindows())
            return; // No POSIX modes; ACLs are the operator's job there.
        UnixFileMode mode = File.GetUnixFileMode(keyPath);
        if ((mode & ForbiddenKeyBits) != 0)
            throw new CertificateAuthorityException(
                $"CA key {keyPath} has mode {ToOctal(mode)}, which lets other users read or change it; Pipelock requires at most 0640 (run: chmod 600 {keyPath}).");
    }

    private static void CheckIsCa(X509Certificate2 cert, string certPath, TimeProvider time)
    {
        var bc = cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is null || !bc.CertificateAuthority)
            throw new CertificateAuthorityException(
                $"CA certificate {certPath} is not a CA certificate (no BasicConstraints CA:true); clients would reject every leaf it signs.");

        var ku = cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (ku is not null && (ku.KeyUsages & X509KeyUsageFlags.KeyCertSign) == 0)
            throw new CertificateAuthorityException(
                $"CA certificate {certPath} has a KeyUsage without keyCertSign; clients would reject every leaf it signs.");

        DateTimeOffset now = time.GetUtcNow();
        if (cert.NotAfter.ToUniversalTime() <= now.UtcDateTime)
            throw new CertificateAuthorityException(
                $"CA certificate {certPath} expired on {cert.NotAfter.ToUniversalTime():u}; create a new CA and redistribute it.");
    }

    private static void Create(string certPath, string keyPath, TimeProvider time, bool overwrite)
    {
        DateTimeOffset now = time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // A random suffix tells CAs of different installs apart in trust stores and in "unknown CA" error messages.
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var req = new CertificateRequest($"CN=Pipelock Interception CA {id}, O=Pipelock", key, HashAlgorithmName.SHA256);
        // pathlen 0: this CA signs leaves only; a stolen key still cannot mint a working intermediate.
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        // Backdated like the leaves (see LeafCertificateCache.Backdate): verifiers check the anchor's validity too, so a
        // client whose clock is behind would otherwise reject a freshly created CA and everything it signs.
        using X509Certificate2 cert = req.CreateSelfSigned(now - LeafCertificateCache.Backdate, now.AddYears(10));

        CreateParentDirectory(keyPath);
        CreateParentDirectory(certPath);
        // Temp files + rename: a crash never leaves a half-written PEM. The key goes first, so a crash in between
        // leaves "key only", which LoadOrCreate reports instead of silently pairing it with a fresh certificate.
        WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem(), KeyFileMode, overwrite);
        WriteNew(certPath, cert.ExportCertificatePem(), CertFileMode, overwrite);
    }

    private static void CreateParentDirectory(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (string.IsNullOrEmpty(dir) || Directory.Exists(dir))
            return; // An existing directory's mode is the operator's choice; only the directory we create is 0700.
        try
        {
            // Missing ancestors get the ordinary mode: a 0700 /var/lib/pipelock owned by root would keep the service
            // user (who owns the CA directory after 'ca init --owner') from reaching its own files.
            if (Path.GetDirectoryName(dir) is { Length: > 0 } parent)
                Directory.CreateDirectory(parent);
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(dir);
            else
                Directory.CreateDirectory(dir, DirectoryMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"Cannot create directory {dir}: {e.Message}", e);
        }
    }

    private static void WriteNew(string path, string pem, UnixFileMode mode, bool overwrite)
    {
        string tmp = path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = mode; // Restrictive from the first byte: no window in which the key is world-readable.
        try
        {
            using (var fs = new FileStream(tmp, options))
            using (var w = new StreamWriter(fs))
            {
                w.Write(pem);
                w.Flush();
                fs.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(tmp, mode); // The umask may have narrowed the create mode; the result must be exact.
            // rename(2): readers (a running agent re-checking its CA files) see the old file or the new one, never half.
            File.Move(tmp, path, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new CertificateAuthorityException($"Cannot write {path}: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static X509SubjectKeyIdentifierExtension? FindSubjectKeyIdentifier(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();

    private static string ToOctal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    /// <summary>Signs a leaf request with the CA key. Serialised; see <see cref="_signLock"/>.</summary>
    internal X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        lock (_signLock)
            return request.Create(Certificate.SubjectName, _signer, notBefore, notAfter, serial);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
