using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs;

/// <summary>
/// Mints and caches the forged server certificates (leaves) that the interceptor presents, one per host name or IP.
/// It exists because minting plus building an <see cref="SslStreamCertificateContext"/> costs a few milliseconds and
/// TLS resumption only works when the same context is reused; so each host is minted once (even when many
/// connections arrive at once), kept while it is comfortably valid, and dropped least-recently-used beyond a bound.
/// </summary>
public sealed class LeafCertificateCache
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private const int MaxCommonNameLength = 64; // X.520 ub-common-name

    /// <summary>
    /// How far a leaf's (and a created CA's) NotBefore lies in the past: 2 days, as mitmproxy
    /// (<c>CERT_VALIDITY_OFFSET</c>). Clock skew of hours is common (VMs after resume, containers without NTP, an RTC
    /// kept in local time is off by up to 14 h), and a NotBefore in the past grants nothing: only NotAfter bounds misuse.
    /// Never earlier than the CA's own NotBefore, which clients check too.
    /// </summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromDays(2);

    /// <summary>
    /// Upper bound on a leaf's lifetime whatever cert_ttl says: 397 days, the CA/Browser Forum limit that Apple and
    /// Chrome enforce on server certificates. A longer leaf buys nothing (leaves are re-minted in a millisecond) and
    /// some clients reject it (mitmproxy #815).
    /// </summary>
    public static readonly TimeSpan MaxLeafLifetime = TimeSpan.FromDays(397);

    private readonly CertificateAuthority _ca;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _capacity;
    private readonly DateTimeOffset _caNotBefore, _caNotAfter;
    private readonly X509Certificate2Collection _chain;
    private readonly X509AuthorityKeyIdentifierExtension _aki;

    // One P-256 key for every leaf, generated per cache (like mitmproxy and Squid, which reuse one key pair).
    // A fresh key per leaf would add ~0.5 ms per mint and buys nothing: every leaf key lives in this process next to the
    // CA key, so compromising one is compromising all. A key separate from the CA's avoids the CA-equals-leaf SKI
    // problem (SChannel, mitmproxy #6494) and keeps leaves ECDSA even when the operator's CA is RSA.
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    // The shared key object is used by CertificateRequest and CopyWithPrivateKey; AsymmetricAlgorithm instances are
    // not documented as thread-safe, and the locked part is well under a millisecond.
    private readonly Lock _keyLock = new();

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();
    private int _count;      // Own counter: ConcurrentDictionary.Count takes every bucket lock.
    private long _useClock;  // Monotonic stamp for least-recently-used ordering (ties are impossible, unlike ticks).
    private long _minted;

    public LeafCertificateCache(CertificateAuthority ca, CertificateAuthorityOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LeafTtl, TimeSpan.Zero, nameof(options.LeafTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheSize, 1, nameof(options.CacheSize));
        _ca = ca;
        _time = time ?? TimeProvider.System;
        _ttl = options.LeafTtl;
        _capacity = options.CacheSize;
        _caNotBefore = new DateTimeOffset(ca.Certificate.NotBefore.ToUniversalTime());
        _caNotAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime());
        _chain = new X509Certificate2Collection(ca.Certificate);
        // AKI copied from the CA's SKI, not recomputed: CAs with truncated SKIs (cert-manager, Go 1.25) otherwise
        // mismatch and strict chain builders reject the leaf. A CA without an SKI gets issuer+serial instead.
        _aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            ca.Certificate, includeKeyIdentifier: ca.SubjectKeyIdentifier is not null, includeIssuerAndSerial: ca.SubjectKeyIdentifier is null);
    }

    /// <summary>Entries currently cached (including ones being minted). Feeds <c>pipelock_tls_cert_cache_size</c>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Leaves minted since construction (a re-mint after expiry counts again).</summary>
    public long Minted => Interlocked.Read(ref _minted);

    /// <summary>
    /// Returns the server context for <paramref name="hostOrIp"/> (an SNI name, CONNECT host or IP literal, without port),
    /// minting it on first use. Concurrent calls for one host share a single mint; a failed mint is not cached.
    /// </summary>
    /// <exception cref="ArgumentException">Thrown synchronously: the name is empty, too long, a wildcard or has characters a
    /// certificate name cannot hold.</exception>
    /// <exception cref="InvalidOperationException">On await: the CA has expired, so no valid leaf exists.</exception>
    public ValueTask<SslStreamCertificateContext> GetAsync(string hostOrIp, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        LeafHostName name = LeafHostName.Parse(hostOrIp);

        while (true)
        {
            if (_entries.TryGetValue(name.Name, out Entry? existing))
            {
                if (!existing.IsStale(_time.GetUtcNow()))
                {
                    existing.LastUse = Interlocked.Increment(ref _useClock);
                    return Await(existing.Completion.Task, ct);
                }
                // Stale: replace it atomically so only one caller re-mints; losers loop and join the new entry.
                var replacement = new Entry(Interlocked.Increment(ref _useClock));
                if (_entries.TryUpdate(name.Name, replacement, existing))
                    return Mint(name, replacement);
                continue;
            }

            var created = new Entry(Interlocked.Increment(ref _useClock));
            if (_entries.TryAdd(name.Name, created))
            {
                Interlocked.Increment(ref _count);
                EvictIfOverCapacity();
                return Mint(name, created);
            }
        }
    }

    private static ValueTask<SslStreamCertificateContext> Await(Task<SslStreamCertificateContext> task, CancellationToken ct) =>
        task.IsCompletedSuccessfully
            ? new ValueTask<SslStreamCertificateContext>(task.Result) // The hot path: no allocation.
            : new ValueTask<SslStreamCertificateContext>(task.WaitAsync(ct)); // Cancel the wait, never the shared mint.

    // Runs on the caller that won the entry. Minting is a few milliseconds of CPU, so it is done inline rather than
    // hopping to the thread pool; everyone else awaits the entry's task.
    private ValueTask<SslStreamCertificateContext> Mint(LeafHostName name, Entry entry)
    {
        try
        {
            (SslStreamCertificateContext context, DateTimeOffset refreshAt) = MintCore(name);
            entry.RefreshAtUtcTicks = refreshAt.UtcTicks;
            Interlocked.Increment(ref _minted);
            entry.Completion.SetResult(context);
            return new ValueTask<SslStreamCertificateContext>(context);
        }
        catch (Exception e)
        {
            // Remove before failing the task, so later callers retry instead of seeing this failure.
            if (_entries.TryRemove(KeyValuePair.Create(name.Name, entry)))
                Interlocked.Decrement(ref _count);
            entry.Completion.SetException(e);
            return ValueTask.FromException<SslStreamCertificateContext>(e); // Mint failures surface on await, like the waiters'.
        }
    }

    private (SslStreamCertificateContext Context, DateTimeOffset RefreshAt) MintCore(LeafHostName name)
    {
        DateTimeOffset now = _time.GetUtcNow();
        // Backdated for clients with slow clocks (see Backdate); never outside the CA's own validity, which clients check too.
        DateTimeOffset notBefore = Max(now - Backdate, _caNotBefore);
        DateTimeOffset notAfter = Min(now + Min(_ttl, MaxLeafLifetime), _caNotAfter);
        if (notAfter <= now)
            throw new InvalidOperationException($"The interception CA expired on {_caNotAfter:u}; no valid leaf can be minted.");

        var san = new SubjectAlternativeNameBuilder();
        if (name.Address is { } ip)
            san.AddIpAddress(ip); // Clients that connect by IP (and Ruby, which sends IPs as SNI) match against IP SANs only.
        else
            san.AddDnsName(name.Name);

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name.Name.Length <= MaxCommonNameLength ? name.Name : name.Name[..MaxCommonNameLength]);

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        // Positive (top bit clear) and exactly 16 bytes (non-zero first byte, so DER does not shorten it).
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);

        X509Certificate2 leaf;
        lock (_keyLock)
        {
            var req = new CertificateRequest(subject.Build(), _leafKey, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
            req.CertificateExtensions.Add(san.Build(critical: false));
            req.CertificateExtensions.Add(_aki);
            // No SKI on purpose: with a shared leaf key every leaf would carry the same one, which some stacks dislike.
            using X509Certificate2 signed = _ca.Sign(req, notBefore, notAfter, serial);
            // No PFX round trip: on Linux (OpenSSL) SslStream accepts a CopyWithPrivateKey certificate directly.
            leaf = signed.CopyWithPrivateKey(_leafKey);
        }

        // offline: the CA is local, there is nothing to download. The collection lets the context send the chain.
        var context = SslStreamCertificateContext.Create(leaf, _chain, offline: true);

        // Re-mint once less than 10% of the leaf's lifetime is left, so a handshake never gets a leaf about to expire.
        TimeSpan lifetime = notAfter - now;
        return (context, notAfter - lifetime / 10);
    }

    private void EvictIfOverCapacity()
    {
        if (Volatile.Read(ref _count) <= _capacity)
            return;
        lock (_evictLock)
        {
            int count = Volatile.Read(ref _count);
            if (count <= _capacity)
                return;
            // Evict ~3% below capacity so the O(n log n) sweep runs once per capacity/32 inserts, not on every one.
            int target = _capacity - _capacity / 32;
            KeyValuePair<string, Entry>[] snapshot = _entries.ToArray();
            // Sort on stamps copied once: hits keep updating LastUse, and a comparer reading live values is inconsistent.
            var stamps = new long[snapshot.Length];
            for (int i = 0; i < snapshot.Length; i++)
                stamps[i] = snapshot[i].Value.LastUse;
            Array.Sort(stamps, snapshot);
            int toRemove = count - target;
            for (int i = 0; i < snapshot.Length && toRemove > 0; i++)
            {
                // Only if still the same entry: a concurrent re-mint replaced it and is in use right now.
                // Evicted contexts are not disposed; an in-flight handshake may still hold them, and the GC reclaims them.
                if (_entries.TryRemove(snapshot[i]))
                {
                    Interlocked.Decrement(ref _count);
                    toRemove--;
                }
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One host's cached (or in-flight) context.</summary>
    private sealed class Entry(long lastUse)
    {
        // Continuations run asynchronously so waiters never run on (and delay) the minting thread.
        public readonly TaskCompletionSource<SslStreamCertificateContext> Completion =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        private long _refreshAtUtcTicks = long.MaxValue; // An in-flight entry is never stale.
        private long _lastUse = lastUse;

        public long RefreshAtUtcTicks
        {
            get => Volatile.Read(ref _refreshAtUtcTicks);
            set => Volatile.Write(ref _refreshAtUtcTicks, value);
        }

        public long LastUse
        {
            get => Volatile.Read(ref _lastUse);
            set => Volatile.Write(ref _lastUse, value);
        }

        public bool IsStale(DateTimeOffset now) => now.UtcTicks >= RefreshAtUtcTicks;
    }
}
