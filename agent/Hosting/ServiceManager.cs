using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// Talks to systemd when it started us (NOTIFY_SOCKET set; <c>Type=notify</c>): READY=1 once the listeners and the
/// interception rules are up, STOPPING=1 at shutdown, and WATCHDOG=1 every half of <c>WatchdogSec</c> from a loop on
/// the thread pool, so an agent whose pool is wedged stops pinging and systemd restarts it. Off systemd every call
/// is a no-op.
/// </summary>
public sealed class ServiceManager : IAsyncDisposable
{
    private readonly SystemdNotifier _notifier = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _watchdog;

    public bool Enabled => _notifier.IsEnabled;

    /// <summary>Tells systemd the service is up (and starts the watchdog pings it asked for, if any).</summary>
    public void Ready(string status)
    {
        if (!Enabled) return;
        _notifier.Notify(new ServiceState("READY=1\nSTATUS=" + status));
        if (_watchdog is null && WatchdogInterval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
                Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId) is { } interval)
            _watchdog = PingAsync(interval / 2, _stop.Token);
    }

    public void Stopping()
    {
        if (Enabled) _notifier.Notify(ServiceState.Stopping);
    }

    /// <summary>WatchdogSec as systemd passes it (microseconds), when it is meant for this process.</summary>
    internal static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) || us <= 0) return null;
        if (pid is not null && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != ownPid)) return null;
        return TimeSpan.FromMicroseconds(us);
    }

    private async Task PingAsync(TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do _notifier.Notify(new ServiceState("WATCHDOG=1"));
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watchdog is not null) await _watchdog.ConfigureAwait(false);
        _stop.Dispose();
    }
}
