using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs.Tests;

/// <summary>"Cache flushed when the CA changes": explicit swaps, config reloads and CA files replaced on disk.</summary>
public sealed class LeafCertificateProviderTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TempDir _dir = new();
    private readonly ManualTimeProvider _time = new(TestCerts.Epoch);
    private readonly List<CertificateAuthorityChange> _changes = [];
    private readonly List<CertificateAuthorityException> _failures = [];

    public void Dispose() => _dir.Dispose();

    private CertificateAuthorityOptions Options(TempDir? dir = null, TimeSpan? interval = null) =>
        TestCerts.Options(dir ?? _dir) with { FileCheckInterval = interval ?? Interval };

    private LeafCertificateProvider NewProvider(CertificateAuthorityOptions? options = null)
    {
        var p = LeafCertificateProvider.LoadOrCreate(options ?? Options(), _time);
        p.Changed += _changes.Add;
        p.ReloadFailed += _failures.Add;
        return p;
    }

    private static SslStreamCertificateContext Get(LeafCertificateProvider p, string host) =>
        p.GetAsync(host, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private bool ChainsTo(SslStreamCertificateContext ctx, X509Certificate2 ca) =>
        TestCerts.BuildChain(ctx.TargetCertificate, ca, _time.GetUtcNow()).Ok;

    /// <summary>What 'pipelock ca init --force' does to the files under a running agent.</summary>
    private X509Certificate2 ReplaceCaOnDisk(CertificateAuthorityOptions o)
    {
        using var fresh = CertificateAuthority.Create(o, overwrite: true, _time);
        return X509CertificateLoader.LoadCertificate(fresh.Certificate.RawData);
    }

    [Fact]
    public void Swapping_to_another_ca_drops_every_cached_leaf()
    {
        using var p = NewProvider();
        X509Certificate2 oldCa = X509CertificateLoader.LoadCertificate(p.Authority.Certificate.RawData);
        string oldFingerprint = p.Fingerprint;
        var before = new[] { Get(p, "a.example"), Get(p, "b.example"), Get(p, "192.0.2.1") };
        Assert.Equal(3, p.Count);

        using var otherDir = new TempDir();
        var other = CertificateAuthority.LoadOrCreate(TestCerts.Options(otherDir), _time);
        Assert.True(p.Swap(other));

        Assert.Same(other, p.Authority);
        Assert.Equal(other.Fingerprint, p.Fingerprint);
        Assert.Equal(0, p.Count);
        var after = Get(p, "a.example");
        Assert.NotSame(before[0], after);
        Assert.True(ChainsTo(after, other.Certificate));
        Assert.False(ChainsTo(after, oldCa));
        Assert.Equal(4, p.Minted); // Counted across the swap.
        Assert.Equal([new CertificateAuthorityChange(oldFingerprint, other.Fingerprint, "swap")], _changes);
        // Leaves handed out before the swap stay usable for handshakes already under way.
        Assert.True(ChainsTo(before[1], oldCa));
    }

    [Fact]
    public void Swapping_to_the_same_ca_keeps_the_cache()
    {
        var o = Options();
        using var p = NewProvider(o);
        var ctx = Get(p, "keep.example");
        CertificateAuthority current = p.Authority;

        var sameAgain = CertificateAuthority.LoadOrCreate(o with { CreateIfMissing = false }, _time);
        Assert.False(p.Swap(sameAgain));

        Assert.Same(current, p.Authority); // The object the cached leaves use stays; the duplicate is disposed.
        Assert.Same(ctx, Get(p, "keep.example"));
        Assert.Equal(1, p.Minted);
        Assert.Empty(_changes);
    }

    public static TheoryData<string, bool> OptionChanges => new()
    {
        { "ttl", true },
        { "cache size", true },
        { "check interval", false },
    };

    [Theory]
    [MemberData(nameof(OptionChanges))]
    public void Reload_flushes_when_leaf_settings_change(string change, bool flushes)
    {
        var o = Options();
        using var p = NewProvider(o);
        var ctx = Get(p, "opt.example");
        var next = change switch
        {
            "ttl" => o with { LeafTtl = TimeSpan.FromHours(1) },
            "cache size" => o with { CacheSize = 10 },
            _ => o with { FileCheckInterval = TimeSpan.FromMinutes(1) },
        };

        Assert.Equal(flushes, p.Reload(next));

        var again = Get(p, "opt.example");
        Assert.Equal(flushes, !ReferenceEquals(ctx, again));
        if (change == "ttl")
            Assert.Equal(_time.GetUtcNow().AddHours(1), new DateTimeOffset(again.TargetCertificate.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void Ca_replaced_on_disk_is_picked_up_at_the_next_check_and_flushes_the_cache()
    {
        var o = Options();
        using var p = NewProvider(o);
        string oldFingerprint = p.Fingerprint;
        var old = Get(p, "rot.example");

        X509Certificate2 newCa = ReplaceCaOnDisk(o);
        Assert.Same(old, Get(p, "rot.example")); // Not due yet: no file I/O on this handshake.

        _time.Advance(Interval);
        var fresh = Get(p, "rot.example");

        Assert.NotSame(old, fresh);
        Assert.True(ChainsTo(fresh, newCa));
        Assert.Equal(CertificateAuthority.FingerprintOf(newCa), p.Fingerprint);
        Assert.Equal([new CertificateAuthorityChange(oldFingerprint, p.Fingerprint, "files changed")], _changes);
        Assert.Null(p.LastReloadError);

        // Unchanged files: later checks do nothing.
        _time.Advance(Interval);
        Assert.Same(fresh, Get(p, "rot.example"));
        Assert.Single(_changes);
    }

    [Fact]
    public void Half_replaced_pair_keeps_the_old_ca_until_the_second_file_lands()
    {
        var o = Options();
        using var p = NewProvider(o);
        string oldFingerprint = p.Fingerprint;
        var old = Get(p, "half.example");

        // The new pair is staged elsewhere and copied over one file at a time, certificate first (the bad order).
        using var staging = new TempDir();
        var stagedOptions = TestCerts.Options(staging);
        using (CertificateAuthority.Create(stagedOptions, overwrite: false, _time)) { }
        File.Copy(stagedOptions.CaCertPath, o.CaCertPath, overwrite: true);

        Assert.False(p.ReloadIfFilesChanged());
        Assert.Equal(oldFingerprint, p.Fingerprint);
        Assert.Same(old, Get(p, "half.example"));
        Assert.Contains("does not match", Assert.Single(_failures).Message, StringComparison.Ordinal);
        Assert.NotNull(p.LastReloadError);
        Assert.False(p.ReloadIfFilesChanged()); // Same broken pair: not parsed again, not reported again.
        Assert.Single(_failures);

        File.Copy(stagedOptions.CaKeyPath, o.CaKeyPath, overwrite: true);
        Assert.True(p.ReloadIfFilesChanged());
        Assert.NotEqual(oldFingerprint, p.Fingerprint);
        Assert.Null(p.LastReloadError);
        Assert.NotSame(old, Get(p, "half.example"));
    }

    [Fact]
    public void Deleted_ca_files_are_never_recreated_by_a_reload()
    {
        var o = Options(); // CreateIfMissing is on, as for 'pipelock run'
        using var p = NewProvider(o);
        string fingerprint = p.Fingerprint;
        var ctx = Get(p, "gone.example");
        File.Delete(o.CaCertPath);
        File.Delete(o.CaKeyPath);

        _time.Advance(Interval);
        Assert.Same(ctx, Get(p, "gone.example"));
        Assert.Contains("do not exist", Assert.Single(_failures).Message, StringComparison.Ordinal);
        Assert.Throws<CertificateAuthorityException>(() => p.Reload(o));

        Assert.False(File.Exists(o.CaCertPath));
        Assert.False(File.Exists(o.CaKeyPath));
        Assert.Equal(fingerprint, p.Fingerprint);
    }

    [Fact]
    public void Reload_with_new_paths_swaps_to_the_ca_there()
    {
        using var p = NewProvider();
        Get(p, "move.example");
        using var elsewhere = new TempDir();
        var moved = Options(elsewhere);
        string target;
        using (var ca = CertificateAuthority.Create(moved, overwrite: false, _time))
            target = ca.Fingerprint;

        Assert.True(p.Reload(moved));

        Assert.Equal(target, p.Fingerprint);
        Assert.Equal("reload", Assert.Single(_changes).Reason);
        // From now on the new paths are the ones watched.
        X509Certificate2 rotated = ReplaceCaOnDisk(moved);
        _time.Advance(Interval);
        Assert.True(ChainsTo(Get(p, "move.example"), rotated));
    }

    [Fact]
    public void A_zero_interval_never_checks_the_files_by_itself()
    {
        var o = Options(interval: TimeSpan.Zero);
        using var p = NewProvider(o);
        string fingerprint = p.Fingerprint;
        var ctx = Get(p, "still.example");
        ReplaceCaOnDisk(o);

        _time.Advance(TimeSpan.FromHours(12)); // Many intervals, still well inside the 24 h leaf.
        Assert.Same(ctx, Get(p, "still.example"));
        Assert.Equal(fingerprint, p.Fingerprint);

        Assert.True(p.ReloadIfFilesChanged()); // An explicit check still works.
        Assert.NotEqual(fingerprint, p.Fingerprint);
    }

    [Fact]
    public async Task Handshakes_during_a_swap_get_a_leaf_of_one_ca_or_the_other_and_all_later_ones_the_new_ca()
    {
        using var p = NewProvider();
        X509Certificate2 oldCa = X509CertificateLoader.LoadCertificate(p.Authority.Certificate.RawData);
        using var otherDir = new TempDir();
        var other = CertificateAuthority.LoadOrCreate(TestCerts.Options(otherDir), _time);

        using var start = new ManualResetEventSlim();
        var handshakes = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await p.GetAsync($"h{i % 8}.example", CancellationToken.None);
        })).ToArray();
        var swap = Task.Run(() =>
        {
            start.Wait();
            p.Swap(other);
        });
        start.Set();
        await swap;
        SslStreamCertificateContext[] during = await Task.WhenAll(handshakes);

        Assert.All(during, ctx => Assert.True(ChainsTo(ctx, oldCa) || ChainsTo(ctx, other.Certificate)));
        for (int i = 0; i < 8; i++)
            Assert.True(ChainsTo(Get(p, $"h{i}.example"), other.Certificate));
    }
}
