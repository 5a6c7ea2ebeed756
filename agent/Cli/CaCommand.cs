using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pipelock.Certs;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>pipelock ca init|show|export|install</c>: the interception CA's lifecycle, so operators create it once, as root,
/// owned by the service user, and hand its certificate to clients (trust store, <c>SSL_CERT_FILE</c> bundle) without
/// reaching for openssl. Files: DIR/ca.pem (0644) and DIR/ca-key.pem (0600); DIR defaults to $STATE_DIRECTORY/ca under
/// systemd, else /var/lib/pipelock/ca. <c>--config F</c> works on the files F's tls_interception names instead.
/// Exit 0 on success, 2 on a refusal, a usage error or an unusable CA.
/// </summary>
internal static class CaCommand
{
    public const string DefaultDirectory = "/var/lib/pipelock/ca";
    public const string CertFileName = "ca.pem";
    public const string KeyFileName = "ca-key.pem";
    /// <summary>Where update-ca-certificates (Debian, Ubuntu, Alpine) picks up local CAs; only *.crt files count.</summary>
    public const string TrustDirectory = "/usr/local/share/ca-certificates";
    public const string InstalledFileName = "pipelock-ca.crt";

    /// <summary>System bundles tried in order when SSL_CERT_FILE is not usable: Debian/Ubuntu/Alpine, RHEL/Fedora, SUSE, BSD-style.</summary>
    internal static readonly string[] SystemBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];

    private const string LocationHelp =
        "CA files: DIR/" + CertFileName + " (0644) and DIR/" + KeyFileName + " (0600). DIR defaults to $STATE_DIRECTORY/ca " +
        "(systemd StateDirectory=), else " + DefaultDirectory + ". 'pipelock run' reads tls_interception.ca_cert/ca_key " +
        "(default ~/.pipelock/ca.pem and ~/.pipelock/ca-key.pem): point them at DIR's files, or pass --config here to act on the files a config names.";

    public static Command Create(CliEnvironment env) =>
        new("ca", "Manage the TLS interception CA: init, show, export, install. " + LocationHelp)
        {
            InitCommand(env), ShowCommand(env), ExportCommand(env), InstallCommand(env),
        };

    /// <summary>The CA directory when neither --dir nor --config is given: under systemd's StateDirectory (the first one
    /// if the unit lists several), else <see cref="DefaultDirectory"/>.</summary>
    internal static string DefaultDir(string? stateDirectory) =>
        stateDirectory?.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() is { } first
            ? Path.Join(first, "ca")
            : DefaultDirectory;

    // ---------------------------------------------------------------------------------------------------------------- init

    private static Command InitCommand(CliEnvironment env)
    {
        var (dir, config) = LocationOptions();
        var force = new Option<bool>("--force") { Description = "Replace an existing CA. Every client that trusts the old one must be given the new one" };
        var owner = new Option<string?>("--owner")
        {
            Description = "Make USER (USER:GROUP) own the files and the directory this creates, so a service running as USER can read the 0600 key (needs root)",
            HelpName = "user",
        };
        var cmd = new Command("init", "Create a new ECDSA P-256 CA (valid 10 years; directory 0700, key 0600) and print its paths and SHA-256 fingerprint; refuses to replace an existing CA without --force")
        {
            dir, config, force, owner,
        };
        cmd.SetAction(pr =>
        {
            var files = Resolve(pr, dir, config, env);
            if (files is null) return ExitCodes.Error;
            string? ownerName = pr.GetValue(owner);
            if (ownerName is not null && CheckOwner(ownerName, env) is { } bad) return bad;

            bool replace = pr.GetValue(force);
            string[] existing = [.. new[] { files.Cert, files.Key }.Where(File.Exists)];
            if (existing.Length > 0 && !replace)
            {
                env.Err.WriteLine($"error: a CA already exists ({string.Join(", ", existing)}). Clients that trust it would reject " +
                    "leaves from a new one; run 'pipelock ca show' to inspect it, or pass --force to replace it.");
                return ExitCodes.Error;
            }

            // Only directories this run creates are handed to --owner: --dir could name /etc, whose owner must not change.
            string[] createdDirs = [.. new[] { files.Cert, files.Key }
                .Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct(StringComparer.Ordinal).Where(d => !Directory.Exists(d))];
            var options = new CertificateAuthorityOptions { CaCertPath = files.Cert, CaKeyPath = files.Key };
            CertificateAuthority ca;
            try
            {
                ca = CertificateAuthority.Create(options, overwrite: replace);
            }
            catch (CertificateAuthorityException e)
            {
                env.Err.WriteLine("error: " + e.Message);
                return ExitCodes.Error;
            }
            using (ca)
            {
                if (ownerName is not null)
                {
                    // -h: a file swapped for a symlink between its creation and this chown (the directory may belong to
                    // the user we hand it to) changes owner as a link; its target never does.
                    int rc = RunTool("chown", ["-h", "--", ownerName, .. createdDirs, files.Key, files.Cert], env, out bool noChown);
                    if (rc != 0)
                    {
                        env.Err.WriteLine($"error: the CA was created, but 'chown {ownerName}' {(noChown ? "was not found" : $"failed (exit {rc})")}; " +
                            $"fix ownership of {files.Key} by hand.");
                        return ExitCodes.Error;
                    }
                }
                env.Out.WriteLine(replace && existing.Length > 0 ? "replaced the Pipelock interception CA" : "created a Pipelock interception CA");
                WriteField(env, "certificate", $"{files.Cert} ({Mode(files.Cert)})");
                WriteField(env, "key", $"{files.Key} ({Mode(files.Key)})");
                WriteField(env, "subject", ca.Certificate.Subject);
                WriteField(env, "not after", Utc(ca.Certificate.NotAfter));
                WriteField(env, "sha256", ca.Fingerprint);
                if (ownerName is null && Environment.IsPrivilegedProcess)
                    env.Err.WriteLine("note: the key is owned by root with mode 0600; if 'pipelock run' runs as another user, re-run with --force --owner USER.");
                env.Err.WriteLine("next: trust it system-wide with 'sudo pipelock ca install', or per process with " +
                    "SSL_CERT_FILE set to a file from 'pipelock ca export --bundle -o FILE'.");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static int? CheckOwner(string owner, CliEnvironment env)
    {
        // Names as useradd allows them (plus numeric ids); never anything chown could take as an option or a path.
        static bool Ok(string part) => part.Length is > 0 and <= 64 && part[0] != '-'
            && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
        string[] parts = owner.Split(':');
        if (parts.Length > 2 || !Ok(parts[0]) || (parts.Length == 2 && !Ok(parts[1])))
        {
            env.Err.WriteLine($"error: --owner '{owner}' is not a user name or USER:GROUP.");
            return ExitCodes.Error;
        }
        if (!Environment.IsPrivilegedProcess)
        {
            env.Err.WriteLine("error: --owner needs root (only root can give files to another user); run: sudo pipelock ca init --owner " + owner);
            return ExitCodes.Error;
        }
        // Before anything is written: an unknown user found after creation would leave a root-owned CA behind.
        if (RunTool("id", ["-u", "--", parts[0]], env, out _, quiet: true) != 0)
        {
            env.Err.WriteLine($"error: --owner: no such user '{parts[0]}'.");
            return ExitCodes.Error;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------------- show

    private static Command ShowCommand(CliEnvironment env)
    {
        var (dir, config) = LocationOptions();
        var cmd = new Command("show", "Print the CA's subject, serial, validity, SHA-256 fingerprint, key type and file modes, " +
            "and check the pair as 'pipelock run' would (exit 2 if missing or unusable)")
        {
            dir, config,
        };
        cmd.SetAction(pr =>
        {
            var files = Resolve(pr, dir, config, env);
            if (files is null) return ExitCodes.Error;
            if (!File.Exists(files.Cert))
            {
                env.Err.WriteLine($"error: no CA certificate at {files.Cert}; create one with 'pipelock ca init'.");
                return ExitCodes.Error;
            }
            X509Certificate2 cert;
            try
            {
                cert = X509CertificateLoader.LoadCertificateFromFile(files.Cert);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                env.Err.WriteLine($"error: {files.Cert} is not a readable certificate: {e.Message}");
                return ExitCodes.Error;
            }
            using (cert)
            {
                // Print what the certificate says first, even when it is unusable: that is what the operator is debugging.
                WriteField(env, "certificate", $"{files.Cert} ({Mode(files.Cert)})");
                WriteField(env, "key", File.Exists(files.Key) ? $"{files.Key} ({Mode(files.Key)})" : $"{files.Key} (missing)");
                WriteField(env, "subject", cert.Subject);
                WriteField(env, "issuer", cert.Issuer == cert.Subject ? "self-signed" : cert.Issuer);
                WriteField(env, "serial", cert.SerialNumber);
                WriteField(env, "not before", Utc(cert.NotBefore));
                WriteField(env, "not after", Utc(cert.NotAfter));
                WriteField(env, "sha256", CertificateAuthority.FingerprintOf(cert));
                WriteField(env, "key type", CertificateAuthority.DescribeKey(cert));
            }
            try
            {
                // The same checks 'pipelock run' makes: CA extensions, expiry, key mode, key matches the certificate.
                using var ca = CertificateAuthority.LoadOrCreate(new CertificateAuthorityOptions { CaCertPath = files.Cert, CaKeyPath = files.Key });
            }
            catch (CertificateAuthorityException e)
            {
                // Unreadable is not invalid, but it is not verified either: still exit 2, and say which.
                WriteField(env, "status", e.InnerException is UnauthorizedAccessException ? "not checked (key not readable by this user)" : "unusable");
                env.Err.WriteLine("error: " + e.Message);
                return ExitCodes.Error;
            }
            WriteField(env, "status", "ok (CA certificate valid, key readable and matching)");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    // ---------------------------------------------------------------------------------------------------------------- export

    private static Command ExportCommand(CliEnvironment env)
    {
        var (dir, config) = LocationOptions();
        var bundle = new Option<bool>("--bundle")
        {
            Description = "Prepend the system CA bundle ($SSL_CERT_FILE if set and readable, else " + SystemBundles[0] +
                " or the distribution's equivalent): a file to use as SSL_CERT_FILE for clients that must trust both",
        };
        var systemBundle = new Option<string?>("--system-bundle") { Description = "System bundle to prepend with --bundle instead of the default", HelpName = "file" };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write to this file (atomically, mode 0644) instead of stdout; safe even when it is the current $SSL_CERT_FILE",
            HelpName = "file",
        };
        var cmd = new Command("export", "Print the CA certificate as PEM, alone or appended to the system bundle (the key is never read)")
        {
            dir, config, bundle, systemBundle, output,
        };
        cmd.SetAction(pr =>
        {
            var files = Resolve(pr, dir, config, env);
            if (files is null) return ExitCodes.Error;
            X509Certificate2 cert;
            try
            {
                cert = CertificateAuthority.LoadCertificate(files.Cert);
            }
            catch (CertificateAuthorityException e)
            {
                env.Err.WriteLine("error: " + e.Message);
                return ExitCodes.Error;
            }
            string text;
            using (cert)
            {
                string ours = cert.ExportCertificatePem() + "\n";
                if (pr.GetValue(bundle))
                {
                    var system = ReadSystemBundle(pr.GetValue(systemBundle), env);
                    if (system is null) return ExitCodes.Error;
                    text = Bundle(system.Value.Text, system.Value.Path, cert, ours, env);
                }
                else
                {
                    text = ours;
                }
            }
            if (pr.GetValue(output) is { } path)
            {
                try
                {
                    WriteAtomically(path, text);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    env.Err.WriteLine($"error: cannot write {path}: {e.Message}");
                    return ExitCodes.Error;
                }
                env.Err.WriteLine($"wrote {path}");
            }
            else
            {
                env.Out.Write(text);
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static (string Path, string Text)? ReadSystemBundle(string? explicitPath, CliEnvironment env)
    {
        string? path = explicitPath;
        if (path is null)
        {
            string? fromEnv = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
            path = new[] { fromEnv }.Concat(SystemBundles).FirstOrDefault(p => !string.IsNullOrEmpty(p) && IsReadableFile(p));
            if (path is null)
            {
                env.Err.WriteLine($"error: no system CA bundle found (SSL_CERT_FILE, {string.Join(", ", SystemBundles)}); give one with --system-bundle.");
                return null;
            }
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            env.Err.WriteLine($"error: cannot read system bundle {path}: {e.Message}");
            return null;
        }
        // An empty bundle is almost always 'export --bundle > $SSL_CERT_FILE': the shell truncated the input first.
        // Writing "just our CA" there would break every other TLS connection of the clients that use it.
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            env.Err.WriteLine($"error: system bundle {path} holds no certificate (was it truncated by a redirection onto itself? use -o FILE).");
            return null;
        }
        return (path, text);
    }

    private static string Bundle(string system, string systemPath, X509Certificate2 cert, string ours, CliEnvironment env)
    {
        // Exporting on top of an earlier bundle (SSL_CERT_FILE already pointing at one) must not stack copies of our CA.
        if (Squeeze(system).Contains(Squeeze(ours), StringComparison.Ordinal))
        {
            env.Err.WriteLine($"note: {systemPath} already contains this CA; exported it unchanged.");
            return system.EndsWith('\n') ? system : system + "\n";
        }
        var sb = new StringBuilder(system.Length + ours.Length + 200);
        sb.Append(system);
        if (!system.EndsWith('\n')) sb.Append('\n');
        // Text outside BEGIN/END lines is ignored by OpenSSL, Go, Node and Python loaders; it tells a reader what this is.
        sb.Append("\n# Pipelock interception CA: ").Append(cert.Subject).Append('\n');
        sb.Append("# SHA-256 ").Append(CertificateAuthority.FingerprintOf(cert)).Append('\n');
        sb.Append(ours);
        return sb.ToString();
    }

    private static string Squeeze(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
            if (!char.IsWhiteSpace(c)) sb.Append(c);
        return sb.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------- install

    private static Command InstallCommand(CliEnvironment env)
    {
        var (dir, config) = LocationOptions();
        var remove = new Option<bool>("--remove") { Description = "Remove " + InstalledFileName + " from the trust store instead" };
        var noUpdate = new Option<bool>("--no-update") { Description = "Only copy the file; do not run update-ca-certificates (e.g. a Dockerfile that runs it later)" };
        // For tests and image builds that stage a root filesystem: a target other than the system directory is not what
        // update-ca-certificates reads, so it is never run then.
        var target = new Option<string?>("--target") { Hidden = true, Description = "Trust directory instead of " + TrustDirectory };
        var cmd = new Command("install", "Copy the CA certificate to " + TrustDirectory + "/" + InstalledFileName +
            " and run update-ca-certificates (needs root; exits with its status). Runtimes with their own bundles (Java, Node, " +
            "Python certifi) need their own step; see 'export --bundle'")
        {
            dir, config, remove, noUpdate, target,
        };
        cmd.SetAction(pr =>
        {
            string? targetDir = pr.GetValue(target);
            bool system = targetDir is null;
            targetDir ??= TrustDirectory;
            bool update = system && !pr.GetValue(noUpdate);
            if (system && !Environment.IsPrivilegedProcess)
            {
                env.Err.WriteLine($"error: 'ca install' needs root: it writes to {TrustDirectory} and runs update-ca-certificates. Run: sudo pipelock ca install");
                return ExitCodes.Error;
            }
            string installed = Path.Join(targetDir, InstalledFileName);
            try
            {
                if (pr.GetValue(remove))
                {
                    if (!File.Exists(installed))
                    {
                        env.Out.WriteLine($"{installed} is not installed");
                        return ExitCodes.Ok; // Idempotent: the goal state (not trusted) holds already.
                    }
                    File.Delete(installed);
                    env.Out.WriteLine($"removed {installed}");
                }
                else
                {
                    var files = Resolve(pr, dir, config, env);
                    if (files is null) return ExitCodes.Error;
                    X509Certificate2 cert;
                    try
                    {
                        cert = CertificateAuthority.LoadCertificate(files.Cert);
                    }
                    catch (CertificateAuthorityException e)
                    {
                        env.Err.WriteLine("error: " + e.Message);
                        return ExitCodes.Error;
                    }
                    using (cert)
                    {
                        Directory.CreateDirectory(targetDir);
                        // update-ca-certificates wants PEM with the .crt extension; one fixed name so a reinstall after
                        // 'ca init --force' replaces the old CA instead of trusting both.
                        WriteAtomically(installed, cert.ExportCertificatePem() + "\n");
                        env.Out.WriteLine($"installed {installed} (sha256 {CertificateAuthority.FingerprintOf(cert)})");
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                env.Err.WriteLine($"error: cannot write {targetDir}: {e.Message}");
                return ExitCodes.Error;
            }
            if (!update) return ExitCodes.Ok;
            int rc = RunTool("update-ca-certificates", [], env, out bool missing);
            if (missing)
            {
                env.Err.WriteLine("error: update-ca-certificates not found (Debian/Ubuntu/Alpine: install the ca-certificates package; " +
                    "RHEL/Fedora: copy the PEM to /etc/pki/ca-trust/source/anchors/ and run update-ca-trust).");
                return ExitCodes.Error;
            }
            return rc;
        });
        return cmd;
    }

    // ---------------------------------------------------------------------------------------------------------------- shared

    private sealed record CaFiles(string Cert, string Key);

    private static (Option<string?> Dir, Option<string?> Config) LocationOptions() =>
    (
        new Option<string?>("--dir") { Description = "CA directory holding " + CertFileName + " and " + KeyFileName + " (default $STATE_DIRECTORY/ca, else " + DefaultDirectory + ")", HelpName = "dir" },
        new Option<string?>("--config", "-c") { Description = "Use tls_interception.ca_cert and ca_key from this Pipelock config instead of --dir", HelpName = "file" }
    );

    private static CaFiles? Resolve(ParseResult pr, Option<string?> dirOption, Option<string?> configOption, CliEnvironment env)
    {
        string? dir = pr.GetValue(dirOption), configPath = pr.GetValue(configOption);
        if (dir is not null && configPath is not null)
        {
            env.Err.WriteLine("error: give --dir or --config, not both.");
            return null;
        }
        if (configPath is not null)
        {
            var cfg = ConfigReporter.Load(configPath, env);
            if (cfg is null) return null;
            // Through CertificateAuthorityOptions so '~' expands exactly as it does for 'pipelock run'.
            var o = new CertificateAuthorityOptions { CaCertPath = cfg.TlsInterception.CaCert, CaKeyPath = cfg.TlsInterception.CaKey };
            return new CaFiles(o.CaCertPath, o.CaKeyPath);
        }
        if (dir is { Length: 0 })
        {
            env.Err.WriteLine("error: --dir is empty.");
            return null;
        }
        dir ??= DefaultDir(Environment.GetEnvironmentVariable("STATE_DIRECTORY"));
        return new CaFiles(Path.Join(dir, CertFileName), Path.Join(dir, KeyFileName));
    }

    private static void WriteField(CliEnvironment env, string name, string value) => env.Out.WriteLine($"{name + ":",-13}{value}");

    private static string Utc(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Mode(string path)
    {
        if (OperatingSystem.IsWindows()) return "mode n/a";
        try
        {
            return "mode 0" + Convert.ToString((int)File.GetUnixFileMode(path) & 0xFFF, 8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "mode unknown";
        }
    }

    private static bool IsReadableFile(string path)
    {
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Temp file + rename, mode 0644: a reader (a client loading SSL_CERT_FILE, the trust store) never sees half a file.</summary>
    private static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string tmp = Path.Join(Path.GetDirectoryName(full), "." + Path.GetFileName(full) + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Public;
        try
        {
            using (var fs = new FileStream(tmp, options))
            using (var w = new StreamWriter(fs))
                w.Write(text);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, Public); // Exact, whatever the umask.
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Runs a tool, passing its output through (unless <paramref name="quiet"/>). Not found: 127 and <paramref name="missing"/>.</summary>
    private static int RunTool(string file, string[] args, CliEnvironment env, out bool missing, bool quiet = false)
    {
        // Coreutils chown/id and update-ca-certificates run as child processes: chown(2) needs a uid, and resolving a
        // name through NSS (files, LDAP, sssd) is what chown(1) already does; a P/Invoke getpwnam or Tmds.LibC would add
        // code or a package for a command run once at install time.
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        missing = false;
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            if (!quiet)
            {
                env.Out.Write(stdout.GetAwaiter().GetResult());
                env.Err.Write(stderr.GetAwaiter().GetResult());
            }
            return p.ExitCode;
        }
        catch (Win32Exception)
        {
            missing = true;
            return 127; // The shell's "command not found".
        }
    }

}
