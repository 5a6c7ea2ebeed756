using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Config;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Tests.Support;
using Pipelock.Certs;

namespace Pipelock.Agent.Tests.Cli;

/// <summary>
/// <c>pipelock ca</c> in-process on temp directories. Nothing here touches /var/lib, $HOME or the system trust store:
/// install runs only against the hidden --target, which never runs update-ca-certificates.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CaCommandTests : IDisposable
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0700 = Mode0600 | UnixFileMode.UserExecute;

    private readonly string _root = Path.Join(Path.GetTempPath(), "pipelock-ca-cli-" + Guid.NewGuid().ToString("N"));

    public CaCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string In(params string[] parts) => Path.Join([_root, .. parts]);

    private static CliRun Ca(params string[] args) => CliRun.Of(new FakeCarrierScanner(), ["ca", .. args]);

    private static string Fingerprint(string output) =>
        Regex.Match(output, @"sha256:\s+([0-9A-F:]{95})").Groups[1].Value is { Length: 95 } f ? f : throw new Xunit.Sdk.XunitException("no fingerprint in: " + output);

    [Fact]
    public void Init_show_export_refuse_force_lifecycle()
    {
        string dir = In("state", "ca");

        var init = Ca("init", "--dir", dir);
        Assert.Equal(0, init.Exit);
        string cert = Path.Join(dir, "ca.pem"), key = Path.Join(dir, "ca-key.pem");
        Assert.Contains(cert, init.Out, StringComparison.Ordinal);
        Assert.Contains(key, init.Out, StringComparison.Ordinal);
        string fp = Fingerprint(init.Out);
        Assert.Equal(Mode0700, File.GetUnixFileMode(dir));
        Assert.Equal(Mode0600, File.GetUnixFileMode(key));
        Assert.Equal(Mode0644, File.GetUnixFileMode(cert));

        var show = Ca("show", "--dir", dir);
        Assert.Equal(0, show.Exit);
        Assert.Equal(fp, Fingerprint(show.Out));
        Assert.Contains("key type:    ECDSA P-256", show.Out, StringComparison.Ordinal);
        Assert.Contains("(mode 0600)", show.Out, StringComparison.Ordinal);
        Assert.Contains("(mode 0644)", show.Out, StringComparison.Ordinal);
        Assert.Matches(@"serial:\s+[0-9A-F]+", show.Out);
        Assert.Matches(@"not before:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", show.Out);
        Assert.Contains("status:      ok", show.Out, StringComparison.Ordinal);

        var export = Ca("export", "--dir", dir);
        Assert.Equal(0, export.Exit);
        Assert.DoesNotContain("PRIVATE KEY", export.Out, StringComparison.Ordinal);
        using (var exported = X509Certificate2.CreateFromPem(export.Out))
            Assert.Equal(fp, CertificateAuthority.FingerprintOf(exported));

        var again = Ca("init", "--dir", dir);
        Assert.Equal(2, again.Exit);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
        Assert.Contains("--force", again.Err, StringComparison.Ordinal);
        Assert.Equal(fp, Fingerprint(Ca("show", "--dir", dir).Out)); // Untouched.

        var forced = Ca("init", "--dir", dir, "--force");
        Assert.Equal(0, forced.Exit);
        Assert.Contains("replaced", forced.Out, StringComparison.Ordinal);
        string newFp = Fingerprint(forced.Out);
        Assert.NotEqual(fp, newFp);
        Assert.Equal(newFp, Fingerprint(Ca("show", "--dir", dir).Out));
        Assert.Equal(Mode0600, File.GetUnixFileMode(key));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Fact]
    public void Export_bundle_is_the_system_bundle_then_our_ca_and_never_stacks_it_twice()
    {
        string dir = In("ca");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);
        string systemPem = OtherRootPem("CN=Some Public Root");
        string system = In("system.crt");
        File.WriteAllText(system, systemPem);

        var bundle = Ca("export", "--bundle", "--system-bundle", system, "--dir", dir);
        Assert.Equal(0, bundle.Exit);
        string ours = Ca("export", "--dir", dir).Out;
        Assert.StartsWith(systemPem, bundle.Out, StringComparison.Ordinal);
        Assert.EndsWith(ours, bundle.Out, StringComparison.Ordinal);
        var certs = new X509Certificate2Collection();
        certs.ImportFromPem(bundle.Out);
        Assert.Equal(["CN=Some Public Root", Subject(ours)], certs.Select(c => c.Subject));

        // The bundle written to a file, then used as the system bundle again (SSL_CERT_FILE already points at it).
        string written = In("bundle.pem");
        Assert.Equal(0, Ca("export", "--bundle", "--system-bundle", system, "--dir", dir, "-o", written).Exit);
        Assert.Equal(bundle.Out, File.ReadAllText(written));
        Assert.Equal(Mode0644, File.GetUnixFileMode(written));
        var twice = Ca("export", "--bundle", "--system-bundle", written, "--dir", dir, "-o", written);
        Assert.Equal(0, twice.Exit);
        Assert.Contains("already contains", twice.Err, StringComparison.Ordinal);
        Assert.Equal(bundle.Out, File.ReadAllText(written));
    }

    [Fact]
    public void Export_bundle_refuses_a_system_bundle_without_certificates()
    {
        // The classic 'export --bundle > $SSL_CERT_FILE': the shell empties the input before we read it.
        string dir = In("ca");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);
        File.WriteAllText(In("empty.crt"), "");

        var run = Ca("export", "--bundle", "--system-bundle", In("empty.crt"), "--dir", dir);

        Assert.Equal(2, run.Exit);
        Assert.Equal("", run.Out);
        Assert.Contains("holds no certificate", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_option_uses_the_tls_interception_paths_run_would_use()
    {
        string cert = In("from-config", "my-ca.pem"), key = In("from-config", "my-key.pem");
        string config = In("pipelock.yaml");
        File.WriteAllText(config, $"tls_interception:\n  enabled: true\n  ca_cert: {cert}\n  ca_key: {key}\n");

        Assert.Equal(0, Ca("init", "--config", config).Exit);
        Assert.True(File.Exists(cert));
        Assert.True(File.Exists(key));
        var show = Ca("show", "-c", config);
        Assert.Equal(0, show.Exit);
        Assert.Contains(cert, show.Out, StringComparison.Ordinal);

        // 'run' would load exactly this CA from the same config section.
        var cfg = ConfigLoader.LoadFile(config).Config!;
        using var provider = TlsSetup.CreateProvider(cfg.TlsInterception, TimeProvider.System);
        Assert.Equal(Fingerprint(show.Out), provider.Fingerprint);
    }

    [Fact]
    public async Task Ca_init_force_under_a_running_agent_is_picked_up_and_drops_old_leaves()
    {
        string dir = In("live");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);
        var tls = new TlsInterceptionConfig { Enabled = true, CaCert = Path.Join(dir, "ca.pem"), CaKey = Path.Join(dir, "ca-key.pem") };
        using var provider = TlsSetup.CreateProvider(tls, TimeProvider.System);
        var bumping = TlsSetup.Bumping(provider);
        var before = await bumping.LeafFor("api.example.test", CancellationToken.None);
        Assert.Equal(1, bumping.CacheSize());

        var forced = Ca("init", "--dir", dir, "--force");
        Assert.Equal(0, forced.Exit);
        Assert.True(provider.ReloadIfFilesChanged()); // What the periodic check on the next handshake does.

        Assert.Equal(Fingerprint(forced.Out), provider.Fingerprint);
        Assert.Equal(0, bumping.CacheSize());
        var after = await bumping.LeafFor("api.example.test", CancellationToken.None);
        Assert.NotEqual(before.TargetCertificate.Issuer, after.TargetCertificate.Issuer);
    }

    public static TheoryData<string, string[], string> Errors => new()
    {
        { "show: no CA", ["show", "--dir", "{root}/none"], "no CA certificate" },
        { "export: no CA", ["export", "--dir", "{root}/none"], "does not exist" },
        { "install: no CA", ["install", "--dir", "{root}/none", "--target", "{root}/trust"], "does not exist" },
        { "init: dir is a file", ["init", "--dir", "{root}/file/sub"], "Cannot create directory" },
        { "dir and config", ["show", "--dir", "{root}", "--config", "{root}/x.yaml"], "not both" },
        { "empty dir", ["show", "--dir", ""], "--dir is empty" },
        { "config missing", ["show", "--config", "{root}/missing.yaml"], "file not found" },
        { "owner syntax", ["init", "--dir", "{root}/owned", "--owner", "a:b:c"], "not a user name" },
        { "owner injection", ["init", "--dir", "{root}/owned", "--owner", "x/../../etc"], "not a user name" },
        { "unknown subcommand", ["rotate"], "" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Unusable_locations_and_arguments_exit_two_without_writing(string name, string[] args, string says)
    {
        _ = name;
        File.WriteAllText(In("file"), "not a directory");
        var run = Ca([.. args.Select(a => a.Replace("{root}", _root, StringComparison.Ordinal))]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(says, run.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(In("owned")));
        Assert.False(Directory.Exists(In("trust")));
    }

    public enum Defect { WorldReadableKey, MismatchedKey, MissingKey, NotACa }

    [Theory]
    [InlineData(Defect.WorldReadableKey, "mode 0644")]
    [InlineData(Defect.MismatchedKey, "does not match")]
    [InlineData(Defect.MissingKey, "does not exist")]
    [InlineData(Defect.NotACa, "not a CA")]
    public void Show_prints_the_certificate_then_exits_two_for_an_unusable_pair(Defect defect, string says)
    {
        string dir = In("ca");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);
        string cert = Path.Join(dir, "ca.pem"), key = Path.Join(dir, "ca-key.pem");
        switch (defect)
        {
            case Defect.WorldReadableKey:
                File.SetUnixFileMode(key, Mode0644);
                break;
            case Defect.MismatchedKey:
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    File.WriteAllText(key, other.ExportPkcs8PrivateKeyPem());
                break;
            case Defect.MissingKey:
                File.Delete(key);
                break;
            case Defect.NotACa:
                using (var k = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    using var leafLike = new CertificateRequest("CN=not a ca", k, HashAlgorithmName.SHA256)
                        .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                    File.WriteAllText(cert, leafLike.ExportCertificatePem());
                    File.WriteAllText(key, k.ExportPkcs8PrivateKeyPem());
                }
                break;
        }

        var show = Ca("show", "--dir", dir);

        Assert.Equal(2, show.Exit);
        Assert.Contains("sha256:", show.Out, StringComparison.Ordinal); // What the certificate says is still shown.
        Assert.Contains("status:      unusable", show.Out, StringComparison.Ordinal);
        Assert.Contains(says, show.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_to_a_target_copies_the_pem_as_crt_and_remove_is_idempotent()
    {
        string dir = In("ca");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);
        string trust = In("trust"), installed = Path.Join(trust, "pipelock-ca.crt");

        var install = Ca("install", "--dir", dir, "--target", trust);
        Assert.Equal(0, install.Exit);
        Assert.Equal(Ca("export", "--dir", dir).Out, File.ReadAllText(installed));
        Assert.Equal(Mode0644, File.GetUnixFileMode(installed));
        Assert.Contains(Fingerprint(Ca("show", "--dir", dir).Out), install.Out, StringComparison.Ordinal);

        // After 'ca init --force' a reinstall replaces the one file instead of trusting both CAs.
        Assert.Equal(0, Ca("init", "--dir", dir, "--force").Exit);
        Assert.Equal(0, Ca("install", "--dir", dir, "--target", trust).Exit);
        Assert.Equal(["pipelock-ca.crt"], Directory.GetFiles(trust).Select(Path.GetFileName));
        Assert.Equal(Ca("export", "--dir", dir).Out, File.ReadAllText(installed));

        Assert.Equal(0, Ca("install", "--remove", "--target", trust).Exit);
        Assert.False(File.Exists(installed));
        var again = Ca("install", "--remove", "--target", trust);
        Assert.Equal(0, again.Exit);
        Assert.Contains("not installed", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_to_the_system_store_is_refused_without_root()
    {
        // Only meaningful unprivileged: as root this would really change the machine's trust store, so it is not run.
        if (Environment.IsPrivilegedProcess) return;
        string dir = In("ca");
        Assert.Equal(0, Ca("init", "--dir", dir).Exit);

        var run = Ca("install", "--dir", dir);

        Assert.Equal(2, run.Exit);
        Assert.Contains("needs root", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Owner_gets_the_files_and_the_created_directory_but_not_existing_parents()
    {
        string dir = In("owned", "ca");
        if (!Environment.IsPrivilegedProcess)
        {
            // Unprivileged: refused before anything is written.
            var refused = Ca("init", "--dir", dir, "--owner", "nobody");
            Assert.Equal(2, refused.Exit);
            Assert.Contains("needs root", refused.Err, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir));
            return;
        }

        var unknown = Ca("init", "--dir", dir, "--owner", "no-such-user-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("no such user", unknown.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));

        Assert.Equal(0, Ca("init", "--dir", dir, "--owner", "nobody").Exit);
        Assert.Equal("nobody", OwnerOf(dir));
        Assert.Equal("nobody", OwnerOf(Path.Join(dir, "ca.pem")));
        Assert.Equal("nobody", OwnerOf(Path.Join(dir, "ca-key.pem")));
        Assert.Equal("root", OwnerOf(In("owned"))); // A parent created on the way keeps root and a traversable mode.
        Assert.True((File.GetUnixFileMode(In("owned")) & UnixFileMode.OtherExecute) != 0);
        Assert.Equal(Mode0700, File.GetUnixFileMode(dir));
    }

    [Theory]
    [InlineData(null, "/var/lib/pipelock/ca")]
    [InlineData("", "/var/lib/pipelock/ca")]
    [InlineData("/var/lib/pipelock", "/var/lib/pipelock/ca")]
    [InlineData("/var/lib/pipelock:/var/lib/other", "/var/lib/pipelock/ca")]
    [InlineData("/srv/state/", "/srv/state/ca")]
    public void Default_directory_follows_systemd_state_directory(string? stateDirectory, string expected) =>
        Assert.Equal(expected, CaCommand.DefaultDir(stateDirectory));

    [Theory]
    [InlineData("ca", "--help")]
    [InlineData("ca", "init", "--help")]
    [InlineData("ca", "show", "--help")]
    [InlineData("ca", "export", "--help")]
    [InlineData("ca", "install", "--help")]
    public void Help_documents_the_default_directory(params string[] args)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), args);
        Assert.Equal(0, run.Exit);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        if (args.Length == 2 && args[0] == "ca")
            Assert.Contains("/var/lib/pipelock/ca", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--target", run.Out, StringComparison.Ordinal); // Test-only option stays hidden.
    }

    private static string OtherRootPem(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem() + "\n";
    }

    private static string Subject(string pem)
    {
        using var c = X509Certificate2.CreateFromPem(pem);
        return c.Subject;
    }

    private static string OwnerOf(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true })!;
        string owner = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return owner;
    }
}
