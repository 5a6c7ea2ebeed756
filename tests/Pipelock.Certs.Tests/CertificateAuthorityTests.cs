using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs.Tests;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Create_writes_restrictive_files_and_a_leaf_only_ca_then_loads_the_same_ca()
    {
        using var dir = new TempDir();
        var time = new ManualTimeProvider(TestCerts.Epoch);
        var o = TestCerts.Options(dir) with
        {
            CaCertPath = Path.Join(dir.Path, "nested", "pl", "ca.pem"),
            CaKeyPath = Path.Join(dir.Path, "nested", "pl", "ca-key.pem"),
        };

        string thumbprint;
        using (var created = CertificateAuthority.LoadOrCreate(o, time))
        {
            thumbprint = created.Certificate.Thumbprint;
            X509Certificate2 c = created.Certificate;
            Assert.False(c.HasPrivateKey); // The exposed certificate must be safe to hand out.
            Assert.StartsWith("CN=Pipelock Interception CA ", c.Subject, StringComparison.Ordinal);
            Assert.Equal(c.Subject, c.Issuer);
            Assert.Equal("1.2.840.10045.2.1", c.PublicKey.Oid.Value); // id-ecPublicKey
            // Backdated 2 days like the leaves: trust anchors' validity is checked too, and clocks run behind.
            Assert.Equal(TestCerts.Epoch.AddDays(-2), new DateTimeOffset(c.NotBefore.ToUniversalTime()));
            Assert.Equal(TestCerts.Epoch.AddYears(10), new DateTimeOffset(c.NotAfter.ToUniversalTime()));

            var bc = c.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            Assert.True(bc.Critical);
            Assert.True(bc.CertificateAuthority);
            Assert.True(bc.HasPathLengthConstraint);
            Assert.Equal(0, bc.PathLengthConstraint);
            var ku = c.Extensions.OfType<X509KeyUsageExtension>().Single();
            Assert.True(ku.Critical);
            Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, ku.KeyUsages);
            Assert.NotNull(c.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());

            // The PEM export is the same certificate.
            using var fromPem = X509Certificate2.CreateFromPem(created.ExportCertificatePem());
            Assert.Equal(c.RawData, fromPem.RawData);
        }

        Assert.Equal(TestCerts.Mode0600, File.GetUnixFileMode(o.CaKeyPath));
        Assert.Equal(TestCerts.Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(o.CaCertPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(o.CaKeyPath)!));
        Assert.Contains("PRIVATE KEY", File.ReadAllText(o.CaKeyPath), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(o.CaKeyPath)!, "*.tmp-*")); // No temp files left behind.

        // Loading again (without permission to create) yields the same CA, not a new one.
        using var loaded = CertificateAuthority.LoadOrCreate(o with { CreateIfMissing = false }, time);
        Assert.Equal(thumbprint, loaded.Certificate.Thumbprint);
    }

    [Theory]
    [InlineData("cert")]
    [InlineData("key")]
    [InlineData("both")]
    public void Explicit_create_refuses_any_existing_file_unless_overwriting(string existing)
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir, create: false);
        string first;
        using (var ca = CertificateAuthority.Create(o, overwrite: false))
            first = ca.Fingerprint;
        if (existing == "cert") File.Delete(o.CaKeyPath);
        if (existing == "key") File.Delete(o.CaCertPath);

        var e = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Create(o, overwrite: false));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);

        using var replaced = CertificateAuthority.Create(o, overwrite: true);
        Assert.NotEqual(first, replaced.Fingerprint);
        Assert.Equal(TestCerts.Mode0600, File.GetUnixFileMode(o.CaKeyPath));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
        using var loaded = CertificateAuthority.LoadOrCreate(o);
        Assert.Equal(replaced.Fingerprint, loaded.Fingerprint);
    }

    [Fact]
    public void Fingerprint_is_the_colon_separated_sha256_of_the_der()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.LoadOrCreate(TestCerts.Options(dir));
        string expected = string.Join(':', SHA256.HashData(ca.Certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, ca.Fingerprint);
        Assert.Equal(32 * 3 - 1, ca.Fingerprint.Length);
    }

    public static TheoryData<string, string> KeyTypes => new() { { "p256", "ECDSA P-256" }, { "p384", "ECDSA P-384" }, { "rsa2048", "RSA 2048" } };

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Key_type_is_described_for_operators(string kind, string described)
    {
        using AsymmetricAlgorithm key = kind switch
        {
            "p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            _ => RSA.Create(2048),
        };
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        TestCerts.WriteSelfSigned(dir.File("ca.pem"), dir.File("ca-key.pem"), key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(1));
        using var cert = X509CertificateLoader.LoadCertificateFromFile(dir.File("ca.pem"));
        Assert.Equal(described, CertificateAuthority.DescribeKey(cert));
    }

    public static TheoryData<Broken, string> CertificateOnlyRefusals => new()
    {
        { Broken.NeitherAndNoCreate, "does not exist" },
        { Broken.NotACa, "not a CA" },
        { Broken.GarbageCert, "not a readable" },
        { Broken.Expired, "expired" },
    };

    [Theory]
    [MemberData(nameof(CertificateOnlyRefusals))]
    public void Certificate_only_load_checks_the_certificate_and_never_needs_the_key(Broken broken, string says)
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir, create: false);
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        switch (broken)
        {
            case Broken.NotACa:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, null, now.AddDays(-1), now.AddDays(30));
                break;
            case Broken.GarbageCert:
                File.WriteAllText(o.CaCertPath, "garbage");
                break;
            case Broken.Expired:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-30), now.AddDays(-1));
                break;
        }
        var e = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.LoadCertificate(o.CaCertPath));
        Assert.Contains(o.CaCertPath, e.Message, StringComparison.Ordinal);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);

        // A good certificate loads with no key file at all (export and install run as users who cannot read it).
        using var good = new TempDir();
        var g = TestCerts.Options(good);
        using (var ca = CertificateAuthority.LoadOrCreate(g)) { }
        File.Delete(g.CaKeyPath);
        using var cert = CertificateAuthority.LoadCertificate(g.CaCertPath);
        Assert.False(cert.HasPrivateKey);
    }

    [Fact]
    public void Two_creations_give_distinct_ca_names()
    {
        using var d1 = new TempDir();
        using var d2 = new TempDir();
        using var a = CertificateAuthority.LoadOrCreate(TestCerts.Options(d1));
        using var b = CertificateAuthority.LoadOrCreate(TestCerts.Options(d2));
        Assert.NotEqual(a.Certificate.Subject, b.Certificate.Subject);
    }

    [Fact]
    public void Group_readable_key_0640_is_accepted()
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir);
        CertificateAuthority.LoadOrCreate(o).Dispose();
        File.SetUnixFileMode(o.CaKeyPath, TestCerts.Mode0600 | UnixFileMode.GroupRead);
        using var ca = CertificateAuthority.LoadOrCreate(o with { CreateIfMissing = false });
        Assert.NotNull(ca.Certificate);
    }

    [Fact]
    public void Tilde_paths_expand_to_home()
    {
        string home = Environment.GetEnvironmentVariable("HOME")!;
        var o = new CertificateAuthorityOptions { CaCertPath = "~/x/ca.pem", CaKeyPath = "~" };
        Assert.Equal(Path.Join(home, "x/ca.pem"), o.CaCertPath);
        Assert.Equal(home, o.CaKeyPath);
        Assert.Equal(Path.Join(home, ".pipelock/ca.pem"), new CertificateAuthorityOptions().CaCertPath);
        Assert.Equal(Path.Join(home, ".pipelock/ca-key.pem"), new CertificateAuthorityOptions().CaKeyPath);
        Assert.Equal("~other/ca.pem", new CertificateAuthorityOptions { CaCertPath = "~other/ca.pem" }.CaCertPath);
        Assert.Equal("/etc/pl/ca.pem", new CertificateAuthorityOptions { CaCertPath = "/etc/pl/ca.pem" }.CaCertPath);
    }

    public enum Broken
    {
        NeitherAndNoCreate, OnlyKey, OnlyCert, MismatchedKey, NotACa, CaFalse, NoKeyCertSign, WorldReadableKey,
        GroupWritableKey, GarbageKey, GarbageCert, Expired,
    }

    // Each case: what is wrong, which file the message must name, and words the message must contain.
    public static TheoryData<Broken, string, string> Refusals => new()
    {
        { Broken.NeitherAndNoCreate, "cert", "do not exist" },
        { Broken.OnlyKey, "cert", "does not exist" },
        { Broken.OnlyCert, "key", "does not exist" },
        { Broken.MismatchedKey, "key", "does not match" },
        { Broken.NotACa, "cert", "not a CA" },
        { Broken.CaFalse, "cert", "not a CA" },
        { Broken.NoKeyCertSign, "cert", "keyCertSign" },
        { Broken.WorldReadableKey, "key", "mode 0644" },
        { Broken.GroupWritableKey, "key", "mode 0660" },
        { Broken.GarbageKey, "key", "not a readable" },
        { Broken.GarbageCert, "cert", "not a readable" },
        { Broken.Expired, "cert", "expired" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Unusable_ca_files_are_refused_with_a_message_naming_the_file(Broken broken, string namedFile, string says)
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir, create: false);
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        switch (broken)
        {
            case Broken.NeitherAndNoCreate:
                break;
            case Broken.OnlyKey:
                TestCerts.WriteKey(o.CaKeyPath, key.ExportPkcs8PrivateKeyPem());
                break;
            case Broken.OnlyCert:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                File.Delete(o.CaKeyPath);
                break;
            case Broken.MismatchedKey:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    TestCerts.WriteKey(o.CaKeyPath, other.ExportPkcs8PrivateKeyPem());
                break;
            case Broken.NotACa:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, null, now.AddDays(-1), now.AddDays(30));
                break;
            case Broken.CaFalse:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key,
                    r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true)), now.AddDays(-1), now.AddDays(30));
                break;
            case Broken.NoKeyCertSign:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, r =>
                {
                    r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
                    r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
                }, now.AddDays(-1), now.AddDays(30));
                break;
            case Broken.WorldReadableKey:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                File.SetUnixFileMode(o.CaKeyPath, TestCerts.Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                break;
            case Broken.GroupWritableKey:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                File.SetUnixFileMode(o.CaKeyPath, TestCerts.Mode0600 | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
                break;
            case Broken.GarbageKey:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                TestCerts.WriteKey(o.CaKeyPath, "not a key\n");
                break;
            case Broken.GarbageCert:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30));
                File.WriteAllText(o.CaCertPath, "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
                break;
            case Broken.Expired:
                TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-30), now.AddDays(-1));
                break;
        }

        // Creation being allowed must not paper over half a CA (or any other defect): only "neither exists" creates.
        var options = broken == Broken.NeitherAndNoCreate ? o : o with { CreateIfMissing = true };
        var e = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.LoadOrCreate(options));
        Assert.Contains(namedFile == "key" ? o.CaKeyPath : o.CaCertPath, e.Message, StringComparison.Ordinal);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
        if (broken is Broken.OnlyKey)
            Assert.False(File.Exists(o.CaCertPath));
        if (broken is Broken.OnlyCert)
            Assert.False(File.Exists(o.CaKeyPath));
    }

    // Operators bring their own CAs: SEC1 "EC PRIVATE KEY" (openssl ecparam) and PKCS#1 "RSA PRIVATE KEY" (openssl genrsa).
    public static TheoryData<string> KeyFormats => new() { "ec-sec1", "ec-pkcs8", "rsa-pkcs1", "rsa-pkcs8" };

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task Operator_supplied_ca_keys_load_and_sign_chaining_leaves(string format)
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir, create: false);
        var now = DateTimeOffset.UtcNow;
        using AsymmetricAlgorithm key = format.StartsWith("rsa", StringComparison.Ordinal) ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Func<AsymmetricAlgorithm, string> pem = format switch
        {
            "ec-sec1" => k => ((ECDsa)k).ExportECPrivateKeyPem(),
            "rsa-pkcs1" => k => ((RSA)k).ExportRSAPrivateKeyPem(),
            _ => k => k.ExportPkcs8PrivateKeyPem(),
        };
        TestCerts.WriteSelfSigned(o.CaCertPath, o.CaKeyPath, key, TestCerts.AddCaExtensions, now.AddDays(-1), now.AddDays(30), pem);
        Assert.Contains(format.EndsWith("sec1", StringComparison.Ordinal) ? "BEGIN EC PRIVATE KEY"
            : format.EndsWith("pkcs1", StringComparison.Ordinal) ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY", File.ReadAllText(o.CaKeyPath), StringComparison.Ordinal);

        using var ca = CertificateAuthority.LoadOrCreate(o);
        var cache = new LeafCertificateCache(ca, o);
        var ctx = await cache.GetAsync("api.example.test", CancellationToken.None);
        var chain = TestCerts.BuildChain(ctx.TargetCertificate, ca.Certificate, DateTimeOffset.UtcNow);
        Assert.True(chain.Ok, chain.Status);
        Assert.Equal(2, chain.Length);
        Assert.Equal("1.2.840.10045.2.1", ctx.TargetCertificate.PublicKey.Oid.Value); // Leaves stay ECDSA under an RSA CA.
    }

    [Fact]
    public async Task An_intermediate_ca_is_sent_with_the_leaf_and_a_self_signed_root_is_not()
    {
        using var dir = new TempDir();
        var o = TestCerts.Options(dir, create: false);
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var interKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootReq = new CertificateRequest("CN=Org Root", rootKey, HashAlgorithmName.SHA256);
        TestCerts.AddCaExtensions(rootReq);
        using X509Certificate2 root = rootReq.CreateSelfSigned(now.AddDays(-1), now.AddDays(60));
        var interReq = new CertificateRequest("CN=Org Interception CA", interKey, HashAlgorithmName.SHA256);
        TestCerts.AddCaExtensions(interReq);
        interReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using X509Certificate2 inter = interReq.Create(root, now.AddDays(-1), now.AddDays(30), [1, 2, 3, 4]);
        File.WriteAllText(o.CaCertPath, inter.ExportCertificatePem());
        TestCerts.WriteKey(o.CaKeyPath, interKey.ExportPkcs8PrivateKeyPem());

        using var ca = CertificateAuthority.LoadOrCreate(o);
        var ctx = await new LeafCertificateCache(ca, o).GetAsync("corp.example.test", CancellationToken.None);
        // Clients trust the org root only, so the server must send the intermediate; that is why the context gets the CA.
        Assert.Equal([inter.Thumbprint], ctx.IntermediateCertificates.Select(c => c.Thumbprint));

        using var selfDir = new TempDir();
        using var selfSigned = CertificateAuthority.LoadOrCreate(TestCerts.Options(selfDir));
        var selfCtx = await new LeafCertificateCache(selfSigned, TestCerts.Options(selfDir)).GetAsync("corp.example.test", CancellationToken.None);
        // A self-signed root is trimmed by SslStreamCertificateContext: a client must already hold it as a trust anchor.
        Assert.Empty(selfCtx.IntermediateCertificates);
    }
}
