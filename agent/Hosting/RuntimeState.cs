using Pipelock.Agent.Config;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// One consistent view of what the proxy runs on: the effective config, the engine built from it, and the MCP
/// state of the listener. A request reads <see cref="RuntimeStateHolder.Current"/> once and keeps that snapshot to
/// its end, so a reload never changes the rules in the middle of a request or stream.
/// </summary>
public sealed class RuntimeSnapshot
{
    public RuntimeSnapshot(PipelockConfig config, ScanEngine engine, McpSessionState mcp, long generation)
    {
        Config = config;
        Engine = engine;
        Mcp = mcp;
        Generation = generation;
        TlsPassthrough = new DomainPatternSet(config.TlsInterception.PassthroughDomains);
        ResponseExempt = new DomainPatternSet(config.ResponseScanning.ExemptDomains);
    }

    /// <summary><c>tls_interception.passthrough_domains</c>: CONNECT hosts spliced, never bumped.</summary>
    public DomainPatternSet TlsPassthrough { get; }

    /// <summary><c>response_scanning.exempt_domains</c>: hosts whose responses are not injection-scanned.</summary>
    public DomainPatternSet ResponseExempt { get; }

    public PipelockConfig Config { get; }
    public ScanEngine Engine { get; }
    public McpSessionState Mcp { get; }
    public long Generation { get; }
}

/// <summary>Holds the current <see cref="RuntimeSnapshot"/>; a reload swaps it atomically.</summary>
public sealed class RuntimeStateHolder
{
    private RuntimeSnapshot _current;

    public RuntimeStateHolder(RuntimeSnapshot initial) => _current = initial;

    public RuntimeSnapshot Current => Volatile.Read(ref _current);

    public void Swap(RuntimeSnapshot next) => Volatile.Write(ref _current, next);
}
