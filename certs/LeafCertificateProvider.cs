using System.Net.Security;

namespace Pipelock.Certs;

/// <summary>
/// The current interception CA together with the leaf cache minted from it. It exists because leaves signed by a
/// replaced CA must never be served again (the Squid known issue: a rotated CA keeps presenting old leaves until they
/// expire): whenever the CA changes, explicitly (<see cref="Swap"/>, <see cref="Reload"/>) or because its files were
/// replaced on disk (checked every <see cref="CertificateAuthorityOptions.FileCheckInterval"/>), the whole cache is
/// replaced by an empty one bound to the new CA.
/// </summary>
public sealed class LeafCertificateProvider : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _swapLock = new();
    private Generation _current;
    private FileStamps _stamps;          // Guarded by _swapLock.
    private long _nextCheckTimestamp;    // TimeProvider timestamp; first caller past it claims the check.
    private long _retiredMinted;
    private CertificateAuthorityException? _lastReloadError;

    /// <summary>Wraps <paramref name="ca"/> (the provider owns it from now on) and an empty cache built from <paramref name="options"/>.</summary>
    public LeafCertificateProvider(CertificateAuthority ca, CertificateAuthorityOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        _current = new Generation(ca, options, new LeafCertificateCache(ca, options, _time), ca.Fingerprint);
        _stamps = FileStamps.Of(options);
        _nextCheckTimestamp = NextCheck(options);
    }

    /// <summary>Loads (or, if <see cref="CertificateAuthorityOptions.CreateIfMissing"/>, creates) the CA and wraps it.</summary>
    /// <exception cref="CertificateAuthorityException">The CA files cannot be used.</exception>
    public static LeafCertificateProvider LoadOrCreate(CertificateAuthorityOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ca = CertificateAuthority.LoadOrCreate(options, time);
        return new LeafCertificateProvider(ca, options, time);
    }

    /// <summary>The CA leaves are signed with right now.</summary>
    public CertificateAuthority Authority => Volatile.Read(ref _current).Ca;

    /// <summary>SHA-256 fingerprint of <see cref="Authority"/>.</summary>
    public string Fingerprint => Volatile.Read(ref _current).Fingerprint;

    /// <summary>Leaves cached for the current CA (feeds <c>pipelock_tls_cert_cache_size</c>).</summary>
    public int Count => Volatile.Read(ref _current).Cache.Count;

    /// <summary>Leaves minted since construction, across CA swaps.</summary>
    public long Minted => Interlocked.Read(ref _retiredMinted) + Volatile.Read(ref _current).Cache.Minted;

    /// <summary>Why the last reload left the CA unchanged, or null after a successful one.</summary>
    public CertificateAuthorityException? LastReloadError => Volatile.Read(ref _lastReloadError);

    /// <summary>Raised after the CA (or the leaf settings) changed and the cache was flushed. Not raised under a lock.</summary>
    public event Action<CertificateAuthorityChange>? Changed;

    /// <summary>Raised when the files changed but could not be loaded (the previous CA stays in use).</summary>
    public event Action<CertificateAuthorityException>? ReloadFailed;

    /// <summary>
    /// The server context for <paramref name="hostOrIp"/> from the current CA's cache (see <see cref="LeafCertificateCache.GetAsync"/>).
    /// At most once per <see cref="CertificateAuthorityOptions.FileCheckInterval"/>, the calling handshake also looks at the
    /// CA files (hashes the small certificate, stats the key); a change loads the new CA (a few milliseconds, once per rotation) before this leaf is picked.
    /// </summary>
    public ValueTask<SslStreamCertificateContext> GetAsync(string hostOrIp, CancellationToken ct)
    {
        long due = Volatile.Read(ref _nextCheckTimestamp);
        if (_time.GetTimestamp() >= due && Interlocked.CompareExchange(ref _nextCheckTimestamp, NextCheck(Volatile.Read(ref _current).Options), due) == due)
            ReloadIfFilesChanged();
        return Volatile.Read(ref _current).Cache.GetAsync(hostOrIp, ct);
    }

    /// <summary>
    /// Makes <paramref name="ca"/> current (the provider takes ownership). Every cached leaf is dropped when its fingerprint
    /// differs from the current CA's or when <paramref name="options"/> change the leaf lifetime or the cache size;
    /// otherwise the cache and the current CA object stay and <paramref name="ca"/> is disposed.
    /// </summary>
    /// <returns>True when the cache was replaced.</returns>
    public bool Swap(CertificateAuthority ca, CertificateAuthorityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        CertificateAuthorityChange? change;
        lock (_swapLock)
        {
            change = SwapLocked(ca, options ?? _current.Options, "swap");
            _stamps = FileStamps.Of(_current.Options);
        }
        return Raise(change);
    }

    /// <summary>
    /// Loads the CA from <paramref name="options"/> (default: the current paths) and swaps to it as <see cref="Swap"/> does.
    /// Never creates a CA, whatever <see cref="CertificateAuthorityOptions.CreateIfMissing"/> says: files missing in the
    /// middle of a rotation must not be replaced by a fresh CA that no client trusts. Meant for config reloads.
    /// </summary>
    /// <returns>True when the cache was replaced.</returns>
    /// <exception cref="CertificateAuthorityException">The files cannot be used; the current CA stays.</exception>
    public bool Reload(CertificateAuthorityOptions? options = null)
    {
        CertificateAuthorityChange? change;
        lock (_swapLock)
        {
            options ??= _current.Options;
            FileStamps stamps = FileStamps.Of(options);
            try
            {
                change = LoadAndSwapLocked(options, "reload");
            }
            catch (CertificateAuthorityException e)
            {
                Volatile.Write(ref _lastReloadError, e);
                throw;
            }
            _stamps = stamps;
        }
        return Raise(change);
    }

    /// <summary>
    /// Reloads when the CA certificate's content or the key file's identity differs from the last look.
    /// Never throws: a failure is kept in <see cref="LastReloadError"/>, raised as <see cref="ReloadFailed"/>, and retried
    /// on the next change, not on every check (a half-written rotation fixes itself when the second file lands).
    /// </summary>
    /// <returns>True when the cache was replaced.</returns>
    public bool ReloadIfFilesChanged()
    {
        CertificateAuthorityChange? change;
        CertificateAuthorityException? failure = null;
        lock (_swapLock)
        {
            Generation gen = _current;
            FileStamps stamps = FileStamps.Of(gen.Options);
            if (stamps == _stamps)
                return false;
            _stamps = stamps; // Recorded before loading, so a broken pair is not re-parsed on every check.
            try
            {
                change = LoadAndSwapLocked(gen.Options, "files changed");
            }
            catch (CertificateAuthorityException e)
            {
                Volatile.Write(ref _lastReloadError, e);
                failure = e;
                change = null;
            }
        }
        if (failure is not null)
        {
            ReloadFailed?.Invoke(failure);
            return false;
        }
        return Raise(change);
    }

    private CertificateAuthorityChange? LoadAndSwapLocked(CertificateAuthorityOptions options, string reason)
    {
        CertificateAuthority ca = CertificateAuthority.LoadOrCreate(options with { CreateIfMissing = false }, _time);
        Volatile.Write(ref _lastReloadError, null);
        return SwapLocked(ca, options, reason);
    }

    private CertificateAuthorityChange? SwapLocked(CertificateAuthority ca, CertificateAuthorityOptions options, string reason)
    {
        Generation old = _current;
        string fingerprint = ca.Fingerprint;
        bool flush = fingerprint != old.Fingerprint || options.LeafTtl != old.Options.LeafTtl || options.CacheSize != old.Options.CacheSize;
        if (!flush)
        {
            // Same key pair and leaf settings: the cached leaves are still right. Keep them and the CA object they use.
            if (!ReferenceEquals(ca, old.Ca))
                ca.Dispose();
            Volatile.Write(ref _current, old with { Options = options });
            return null;
        }

        var next = new Generation(ca, options, new LeafCertificateCache(ca, options, _time), fingerprint);
        Interlocked.Add(ref _retiredMinted, old.Cache.Minted);
        Volatile.Write(ref _current, next);
        // The old CA is not disposed: a handshake that read the old generation a moment ago may still be signing with
        // its key or sending its certificate. Nothing references it once those finish, and its handles are finalizable.
        return new CertificateAuthorityChange(old.Fingerprint, fingerprint, reason);
    }

    private bool Raise(CertificateAuthorityChange? change)
    {
        if (change is null)
            return false;
        Changed?.Invoke(change);
        return true;
    }

    private long NextCheck(CertificateAuthorityOptions options)
    {
        TimeSpan interval = options.FileCheckInterval;
        if (interval <= TimeSpan.Zero)
            return long.MaxValue;
        return _time.GetTimestamp() + (long)(interval.TotalSeconds * _time.TimestampFrequency);
    }

    public void Dispose() => Volatile.Read(ref _current).Ca.Dispose();

    private sealed record Generation(CertificateAuthority Ca, CertificateAuthorityOptions Options, LeafCertificateCache Cache, string Fingerprint);

    /// <summary>
    /// What a file check compares. The certificate by content (a few hundred bytes, hashed): a new CA always means a new
    /// certificate, and mtimes have jiffy granularity, too coarse to tell two quick writes apart. The key by resolved
    /// target (Kubernetes swaps a symlink), size and mtime: enough to retry a pair that failed because the key landed
    /// after the certificate; a key that changes on its own must still match the same certificate, so it changes nothing.
    /// </summary>
    private readonly record struct FileStamps(string Cert, FileStamp Key)
    {
        public static FileStamps Of(CertificateAuthorityOptions o) => new(HashOf(o.CaCertPath), FileStamp.Of(o.CaKeyPath));

        private static string HashOf(string path)
        {
            try
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(fs));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return e.GetType().Name; // Missing or unreadable: differs from any content, and from each other.
            }
        }
    }

    private readonly record struct FileStamp(string? Target, long Length, long WriteTicks, bool Exists)
    {
        public static FileStamp Of(string path)
        {
            try
            {
                var fi = new FileInfo(path);
                if (!fi.Exists)
                    return default;
                string? target = fi.LinkTarget is null ? null : fi.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                return new FileStamp(target, fi.Length, fi.LastWriteTimeUtc.Ticks, true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new FileStamp(e.GetType().Name, -1, -1, false); // Unreadable differs from missing and from present.
            }
        }
    }
}

/// <summary>The interception CA changed and every cached leaf was dropped.</summary>
/// <param name="OldFingerprint">SHA-256 fingerprint of the CA before.</param>
/// <param name="NewFingerprint">SHA-256 fingerprint of the CA now (equal to the old one when only leaf settings changed).</param>
/// <param name="Reason">"swap", "reload" or "files changed".</param>
public sealed record CertificateAuthorityChange(string OldFingerprint, string NewFingerprint, string Reason);
