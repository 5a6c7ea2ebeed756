namespace Pipelock.Agent.Operations;

/// <summary>
/// The sentinel-file source of the kill switch: active while the file exists. Polled (a stat per interval) rather
/// than watched with inotify, because the file usually lives in a directory that may not exist yet and inotify
/// misses files created through bind mounts; a stat error other than "not found" counts as active (fail closed).
/// </summary>
public sealed class SentinelFileWatcher : IAsyncDisposable
{
    private readonly KillSwitch _killSwitch;
    private readonly Func<string> _path;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SentinelFileWatcher(KillSwitch killSwitch, Func<string> path, TimeSpan? interval = null)
    {
        _killSwitch = killSwitch;
        _path = path;
        _interval = interval ?? TimeSpan.FromMilliseconds(250);
        Check();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Check();
        }
        catch (OperationCanceledException) { }
    }

    internal void Check()
    {
        var path = _path();
        _killSwitch.Set(KillSwitchSource.Sentinel, path.Length > 0 && Exists(path));
    }

    private static bool Exists(string path)
    {
        try
        {
            // stat(2): File.Exists would hide EACCES as "missing" and so fail open.
            if (OperatingSystem.IsWindows()) return File.Exists(path);
            _ = File.GetUnixFileMode(path);
            return true;
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (Exception) { return true; }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
