namespace Pipelock.Agent.Operations;

/// <summary>The four OR-ed sources of the kill switch, in Pipelock's reporting priority.</summary>
public enum KillSwitchSource
{
    Config = 0,
    Api = 1,
    Signal = 2,
    Sentinel = 3,
}

/// <summary>
/// Emergency deny-all (catalogue §5.2). Active when any source is on. Long-lived work (CONNECT tunnels, SSE relays)
/// links <see cref="Tripped"/> into its reads, so activation cuts it at the read in progress rather than at the
/// next request. A new token is issued after deactivation, so cancelled work never resumes by accident.
/// </summary>
public sealed class KillSwitch : IDisposable
{
    private readonly Lock _gate = new();
    private readonly bool[] _sources = new bool[4];
    private CancellationTokenSource _trip = new();

    public event Action<KillSwitchSource, bool>? Changed;

    public bool IsActive
    {
        get
        {
            lock (_gate) return _sources[0] || _sources[1] || _sources[2] || _sources[3];
        }
    }

    /// <summary>Cancelled the moment the switch becomes active (already cancelled while it is active).</summary>
    public CancellationToken Tripped
    {
        get
        {
            lock (_gate) return _trip.Token;
        }
    }

    public bool IsOn(KillSwitchSource source)
    {
        lock (_gate) return _sources[(int)source];
    }

    public IReadOnlyDictionary<string, bool> Status()
    {
        lock (_gate)
        {
            return new Dictionary<string, bool>
            {
                ["config"] = _sources[0],
                ["api"] = _sources[1],
                ["signal"] = _sources[2],
                ["sentinel"] = _sources[3],
            };
        }
    }

    /// <summary>Sets one source; returns true when that changed the source.</summary>
    public bool Set(KillSwitchSource source, bool on)
    {
        CancellationTokenSource? toCancel = null;
        lock (_gate)
        {
            if (_sources[(int)source] == on) return false;
            bool wasActive = _sources[0] || _sources[1] || _sources[2] || _sources[3];
            _sources[(int)source] = on;
            bool active = _sources[0] || _sources[1] || _sources[2] || _sources[3];
            if (!wasActive && active) toCancel = _trip;
            else if (wasActive && !active)
            {
                _trip.Dispose();
                _trip = new CancellationTokenSource();
            }
        }
        // Cancel outside the lock: registered callbacks (relays closing sockets) run synchronously.
        toCancel?.Cancel();
        Changed?.Invoke(source, on);
        return true;
    }

    /// <summary>SIGUSR1 toggles the signal source (Pipelock's behaviour).</summary>
    public void ToggleSignal()
    {
        bool on;
        lock (_gate) on = !_sources[(int)KillSwitchSource.Signal];
        Set(KillSwitchSource.Signal, on);
    }

    /// <summary>Reports the highest-priority active source, or null.</summary>
    public string? ActiveSource()
    {
        lock (_gate)
        {
            for (int i = 0; i < _sources.Length; i++)
                if (_sources[i]) return ((KillSwitchSource)i).ToString().ToLowerInvariant();
            return null;
        }
    }

    public void Dispose()
    {
        lock (_gate) _trip.Dispose();
    }
}
