using System.Net;
using System.Net.Security;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs.Tests;

public sealed class LeafCertificateCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ManualTimeProvider _time = new(TestCerts.Epoch);
    private readonly CertificateAuthority _ca;

    public LeafCertificateCacheTests() => _ca = CertificateAuthority.LoadOrCreate(TestCerts.Options(_dir), _time);

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    private LeafCertificateCache NewCache(TimeSpan? ttl = null, int cacheSize = 10_000) =>
        new(_ca, TestCerts.Options(_dir, ttl: ttl, cacheSize: cacheSize), _time);

    private static SslStreamCertificateContext Get(LeafCertificateCache cache, string host) =>
        cache.GetAsync(host, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Fact]
    public void Dns_leaf_has_the_server_profile_and_chains_to_the_ca()
    {
        var cache = NewCache();
        X509Certificate2 leaf = Get(cache, "API.Example.test").TargetCertificate;

        Assert.True(leaf.HasPrivateKey);
        Assert.Equal("CN=api.example.test", leaf.Subject);
        Assert.Equal(_ca.Certificate.Subject, leaf.Issuer);
        Assert.Equal(["api.example.test"], TestCerts.San(leaf).EnumerateDnsNames());
        Assert.Empty(TestCerts.San(leaf).EnumerateIPAddresses());

        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        var ku = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(ku.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Empty(leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        var aki = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        Assert.Equal(_ca.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(),
            aki.KeyIdentifier!.Value.ToArray());

        byte[] serial = leaf.SerialNumberBytes.ToArray(); // big-endian DER content
        Assert.Equal(16, serial.Length);
        Assert.True(new BigInteger(serial, isUnsigned: false, isBigEndian: true) > 0);

        Assert.Equal(TestCerts.Epoch.AddDays(-2), new DateTimeOffset(leaf.NotBefore.ToUniversalTime()));
        Assert.Equal(TestCerts.Epoch.AddHours(24), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));

        var chain = TestCerts.BuildChain(leaf, _ca.Certificate, TestCerts.Epoch);
        Assert.True(chain.Ok, chain.Status);
        Assert.Equal(2, chain.Length);
    }

    public static TheoryData<string, string> IpLiterals => new()
    {
        { "192.0.2.7", "192.0.2.7" },
        { "[2001:db8::1]", "2001:db8::1" },
    };

    [Theory]
    [MemberData(nameof(IpLiterals))]
    public void Ip_literal_gets_an_ip_san_and_no_dns_san(string host, string ip)
    {
        X509Certificate2 leaf = Get(NewCache(), host).TargetCertificate;
        Assert.Equal([IPAddress.Parse(ip)], TestCerts.San(leaf).EnumerateIPAddresses());
        Assert.Empty(TestCerts.San(leaf).EnumerateDnsNames());
        Assert.Equal("CN=" + ip, leaf.Subject);
        Assert.True(TestCerts.BuildChain(leaf, _ca.Certificate, TestCerts.Epoch).Ok);
    }

    [Fact]
    public void Idn_host_is_minted_in_punycode_and_shares_the_entry_with_its_ascii_spellings()
    {
        var cache = NewCache();
        var ctx = Get(cache, "Bücher.Example");
        Assert.Equal(["xn--bcher-kva.example"], TestCerts.San(ctx.TargetCertificate).EnumerateDnsNames());
        Assert.Same(ctx, Get(cache, "xn--bcher-kva.example"));
        Assert.Same(ctx, Get(cache, "BÜCHER.example."));
        Assert.Equal(1, cache.Minted);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Long_host_gets_a_64_char_cn_and_the_full_name_in_the_san()
    {
        string host = string.Join('.', Enumerable.Repeat(new string('b', 40), 4)) + ".example"; // 172 chars
        X509Certificate2 leaf = Get(NewCache(), host).TargetCertificate;
        Assert.Equal(64, leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false).Length);
        Assert.Equal([host], TestCerts.San(leaf).EnumerateDnsNames());
    }

    [Fact]
    public void Leaf_validity_is_clamped_to_the_ca_and_still_chains()
    {
        var caNotAfter = new DateTimeOffset(_ca.Certificate.NotAfter.ToUniversalTime());
        _time.Set(caNotAfter.AddHours(-2));
        X509Certificate2 leaf = Get(NewCache(), "late.example").TargetCertificate;
        Assert.Equal(caNotAfter, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        Assert.True(TestCerts.BuildChain(leaf, _ca.Certificate, caNotAfter.AddHours(-1)).Ok);
    }

    // Validity table: (days since the CA was made, cert_ttl) -> (NotBefore, NotAfter) relative to now.
    // Backdated 2 days (mitmproxy's CERT_VALIDITY_OFFSET); lifetime min(cert_ttl, 397 days, CA expiry).
    public static TheoryData<int, TimeSpan, TimeSpan, TimeSpan> Validity => new()
    {
        { 10, TimeSpan.FromHours(24), TimeSpan.FromDays(-2), TimeSpan.FromHours(24) },
        { 10, TimeSpan.FromMinutes(30), TimeSpan.FromDays(-2), TimeSpan.FromMinutes(30) },
        { 10, TimeSpan.FromDays(397), TimeSpan.FromDays(-2), TimeSpan.FromDays(397) },
        { 10, TimeSpan.FromDays(3650), TimeSpan.FromDays(-2), TimeSpan.FromDays(397) },
    };

    [Theory]
    [MemberData(nameof(Validity))]
    public void Leaf_is_backdated_two_days_and_lives_at_most_397_days(int daysAfterCa, TimeSpan ttl, TimeSpan notBefore, TimeSpan notAfter)
    {
        _time.Advance(TimeSpan.FromDays(daysAfterCa));
        DateTimeOffset now = _time.GetUtcNow();
        X509Certificate2 leaf = Get(NewCache(ttl: ttl), "valid.example").TargetCertificate;
        Assert.Equal(now + notBefore, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()));
        Assert.Equal(now + notAfter, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        // A client whose clock is a day and a half behind still accepts it.
        Assert.True(TestCerts.BuildChain(leaf, _ca.Certificate, now.AddHours(-36)).Ok);
    }

    [Fact]
    public void Leaf_not_before_never_precedes_the_ca()
    {
        var caNotBefore = new DateTimeOffset(_ca.Certificate.NotBefore.ToUniversalTime());
        _time.Set(caNotBefore.AddHours(10)); // now - 2 days would be before the CA existed
        X509Certificate2 leaf = Get(NewCache(), "early.example").TargetCertificate;
        Assert.Equal(caNotBefore, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()));
    }

    [Fact]
    public void Cache_hit_returns_the_same_context()
    {
        var cache = NewCache();
        var a = Get(cache, "hit.example");
        var b = Get(cache, "HIT.example");
        Assert.Same(a, b);
        Assert.Equal(1, cache.Minted);
        Assert.Equal(1, cache.Count);
        Assert.NotSame(a, Get(cache, "other.example"));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Parallel_requests_for_one_host_mint_once()
    {
        var cache = NewCache();
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await cache.GetAsync("flight.example", CancellationToken.None);
        })).ToArray();
        start.Set();
        SslStreamCertificateContext[] results = await Task.WhenAll(tasks);

        Assert.Equal(1, cache.Minted);
        Assert.Equal(1, cache.Count);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public void Eviction_keeps_count_within_cache_size_and_drops_the_least_recently_used()
    {
        var cache = NewCache(cacheSize: 4);
        foreach (var h in new[] { "a.example", "b.example", "c.example", "d.example" })
            Get(cache, h);
        var a = Get(cache, "a.example"); // a is now the most recently used; b the least
        Get(cache, "e.example");
        Assert.Equal(4, cache.Count);
        Assert.Equal(5, cache.Minted);

        Assert.Same(a, Get(cache, "a.example"));
        Assert.Equal(5, cache.Minted);
        Get(cache, "b.example"); // was evicted: minted again
        Assert.Equal(6, cache.Minted);
        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public async Task Many_hosts_in_parallel_never_leave_more_than_cache_size()
    {
        var cache = NewCache(cacheSize: 64);
        await Parallel.ForAsync(0, 400, async (i, ct) => await cache.GetAsync($"h{i}.example", ct));
        Assert.True(cache.Count <= 64, $"Count {cache.Count}");
        Assert.True(cache.Count > 0);
        Assert.Equal(400, cache.Minted);
    }

    [Fact]
    public void Entry_is_reminted_when_less_than_a_tenth_of_the_ttl_is_left()
    {
        var cache = NewCache(ttl: TimeSpan.FromHours(24));
        var first = Get(cache, "ttl.example");

        _time.Advance(TimeSpan.FromHours(21)); // 3 h left > 2.4 h
        Assert.Same(first, Get(cache, "ttl.example"));

        _time.Advance(TimeSpan.FromMinutes(40)); // 2 h 20 min left < 2.4 h
        var second = Get(cache, "ttl.example");
        Assert.NotSame(first, second);
        Assert.Equal(2, cache.Minted);
        Assert.Equal(1, cache.Count);
        Assert.Equal(TestCerts.Epoch.AddHours(21).AddMinutes(40).AddHours(24), new DateTimeOffset(second.TargetCertificate.NotAfter.ToUniversalTime()));
        Assert.Same(second, Get(cache, "ttl.example"));
    }

    [Fact]
    public async Task A_failed_mint_is_not_cached()
    {
        var cache = NewCache();
        var caNotAfter = new DateTimeOffset(_ca.Certificate.NotAfter.ToUniversalTime());
        _time.Set(caNotAfter.AddHours(1)); // CA expired: minting must fail
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetAsync("fail.example", CancellationToken.None));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Minted);

        _time.Set(TestCerts.Epoch);
        Assert.NotNull(await cache.GetAsync("fail.example", CancellationToken.None));
        Assert.Equal(1, cache.Minted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*.example.com")]
    [InlineData("bad host")]
    public async Task Invalid_names_throw_and_mint_nothing(string host)
    {
        var cache = NewCache();
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await cache.GetAsync(host, CancellationToken.None));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Minted);
    }

    [Fact]
    public async Task Cancelled_token_is_honoured_before_minting()
    {
        var cache = NewCache();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cache.GetAsync("x.example", new CancellationToken(canceled: true)));
        Assert.Equal(0, cache.Minted);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NewCache(cacheSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewCache(ttl: TimeSpan.Zero));
    }

    [Fact]
    public void Two_caches_on_one_ca_mint_independently_and_both_chain()
    {
        // The forward proxy and the transparent interceptor each own a cache over the same CA.
        var one = Get(NewCache(), "shared.example").TargetCertificate;
        var two = Get(NewCache(), "shared.example").TargetCertificate;
        Assert.NotEqual(one.SerialNumber, two.SerialNumber);
        Assert.True(TestCerts.BuildChain(one, _ca.Certificate, TestCerts.Epoch).Ok);
        Assert.True(TestCerts.BuildChain(two, _ca.Certificate, TestCerts.Epoch).Ok);
    }
}
