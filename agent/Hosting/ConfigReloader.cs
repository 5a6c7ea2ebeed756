using Pipelock.Agent.Config;
using Pipelock.Agent.Operations;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// Hot reload on SIGHUP and on changes to the config file (debounced 100 ms, as Pipelock). The new file is loaded
/// and validated and a new engine is built before anything is swapped: an invalid file keeps the old config and
/// logs why. Requests and tunnels already open keep the snapshot they started with.
/// </summary>
public sealed class ConfigReloader : IDisposable
{
    private readonly string _path;
    private readonly bool _frontsMcp;
    private readonly ProxyServices _s;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _once = new(1, 1);
    private Timer? _debounce;

    public ConfigReloader(string path, bool frontsMcp, ProxyServices services)
    {
        _path = Path.GetFullPath(path);
        _frontsMcp = frontsMcp;
        _s = services;
        var dir = Path.GetDirectoryName(_path);
        if (dir is not null && Directory.Exists(dir))
        {
            // Watch the directory, not the file: editors and ConfigMap updates replace the file (rename/symlink swap).
            _watcher = new FileSystemWatcher(dir) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (!string.Equals(Path.GetFileName(e.FullPath), Path.GetFileName(_path), StringComparison.Ordinal)
            && !(e is RenamedEventArgs r && string.Equals(Path.GetFileName(r.OldFullPath), Path.GetFileName(_path), StringComparison.Ordinal))
            && !e.Name!.StartsWith("..", StringComparison.Ordinal))
            return;
        var t = new Timer(_ => _ = ReloadAsync("file"), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _debounce, t)?.Dispose();
    }

    /// <summary>Loads, validates and swaps; returns true when the new config is in effect.</summary>
    public async Task<bool> ReloadAsync(string trigger)
    {
        await _once.WaitAsync().ConfigureAwait(false);
        try
        {
            var result = ConfigLoader.LoadFile(_path);
            if (!result.IsValid)
            {
                _s.Log.Event("error", "config_reload", ("trigger", trigger), ("ok", false), ("file", _path),
                    ("errors", string.Join("; ", result.Errors.Select(e => e.ToString()))), ("kept", "previous config"));
                return false;
            }
            var previous = _s.State.Current;
            RuntimeSnapshot next;
            try
            {
                next = RuntimeFactory.Build(result.Config!, _frontsMcp, previous, _s.Time, _s.Resolver);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException)
            {
                _s.Log.Event("error", "config_reload", ("trigger", trigger), ("ok", false), ("file", _path), ("errors", e.Message), ("kept", "previous config"));
                return false;
            }
            _s.State.Swap(next);
            if (_s.Certificates is not null && next.Config.TlsInterception.Enabled)
            {
                // A changed ca_cert/ca_key/cert_ttl/cert_cache_size swaps the CA and drops every cached leaf; bad files
                // keep the running CA (the provider reports why through its ReloadFailed event).
                try { _s.Certificates.Reload(Forward.TlsSetup.Options(next.Config.TlsInterception)); }
                catch (Exception e) when (e is Pipelock.Certs.CertificateAuthorityException or IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
                {
                    _s.Log.Event("error", "ca_reload", ("ok", false), ("error", e.Message), ("kept", "previous CA"));
                }
            }
            else if (_s.Certificates is null && next.Config.TlsInterception.Enabled)
            {
                _s.Log.Event("warn", "config_reload", ("warning", "tls_interception.enabled turned on by a reload: restart the agent to start intercepting"));
            }
            _s.KillSwitch.Set(KillSwitchSource.Config, next.Config.KillSwitch.Enabled);
            _s.Log.Update(next.Config.Logging);
            foreach (var w in result.Warnings) _s.Log.Event("warn", "config_warning", ("file", _path), ("warning", w));
            _s.Log.Event("info", "config_reload", ("trigger", trigger), ("ok", true), ("file", _path), ("generation", next.Generation),
                ("mode", next.Config.Mode.ToString().ToLowerInvariant()));
            return true;
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
        _once.Dispose();
    }
}
