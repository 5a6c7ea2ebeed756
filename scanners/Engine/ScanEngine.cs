using Pipelock.Scanners.Body;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.Chains;
using Pipelock.Scanners.Mcp.Session;
using Pipelock.Scanners.Mcp.Tools;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Url;

namespace Pipelock.Scanners.Engine;

/// <summary>
/// The scanning core, composed once from a <see cref="ScanEngineOptions"/> snapshot. Every entry point (CLI, forward
/// proxy, MCP proxy, transparent interceptor) holds one engine and calls the scanners through it, so all of them
/// share the compiled patterns and the same verdicts. Stateless scanners are thread-safe; the stateful ones
/// (rate limits, drift baselines, session binding, chains) are thread-safe and bounded.
/// </summary>
public sealed class ScanEngine
{
    // Each scanner is built on first use: compiling a scanner's patterns costs up to ~1 s of CPU, and a CLI run such as
    // `check --kind dlp` needs one of them. Long-running hosts call WarmUp() at start so the first request pays nothing.
    private readonly Lazy<DlpScanner> _dlp;
    private readonly Lazy<InjectionScanner> _injection;
    private readonly Lazy<UrlScanner> _url;
    private readonly Lazy<RequestBodyScanner> _body;
    private readonly Lazy<McpInputScanner> _mcpInput;
    private readonly Lazy<McpResponseScanner> _mcpResponse;
    private readonly Lazy<ToolPoisoningScanner> _toolPoisoning;
    private readonly Lazy<ToolPolicy> _toolPolicy;

    public ScanEngine(ScanEngineOptions? options = null, IEnvironmentSource? environment = null, IHostResolver? resolver = null, TimeProvider? time = null)
    {
        var o = Options = options ?? ScanEngineOptions.Default;
        Time = time ?? TimeProvider.System;
        const LazyThreadSafetyMode once = LazyThreadSafetyMode.ExecutionAndPublication;
        _dlp = new(() => new DlpScanner(o.Dlp, environment), once);
        _injection = new(() => new InjectionScanner(o.Injection), once);
        _url = new(() => new UrlScanner(o.Url, Dlp, resolver, time), once);
        _body = new(() => new RequestBodyScanner(o.Body, Dlp), once);
        _mcpInput = new(() => new McpInputScanner(o.McpInput, Dlp, Injection), once);
        _mcpResponse = new(() => new McpResponseScanner(o.McpResponse, Injection, Dlp), once);
        _toolPoisoning = new(() => new ToolPoisoningScanner(o.ToolScan, Injection), once);
        _toolPolicy = new(() => new ToolPolicy(o.ToolPolicy), once);
    }

    public ScanEngineOptions Options { get; }
    public TimeProvider Time { get; }
    public DlpScanner Dlp => _dlp.Value;
    public InjectionScanner Injection => _injection.Value;
    public UrlScanner Url => _url.Value;
    public RequestBodyScanner Body => _body.Value;
    public McpInputScanner McpInput => _mcpInput.Value;
    public McpResponseScanner McpResponse => _mcpResponse.Value;
    public ToolPoisoningScanner ToolPoisoning => _toolPoisoning.Value;
    public ToolPolicy ToolPolicy => _toolPolicy.Value;

    /// <summary>Builds every scanner now (in parallel), so configuration problems surface at start and requests never wait.</summary>
    public void WarmUp() =>
        Parallel.Invoke(() => _ = Dlp, () => _ = Injection, () => _ = ToolPolicy, () => _ = Url, () => _ = Body,
            () => _ = McpInput, () => _ = McpResponse, () => _ = ToolPoisoning);

    /// <summary>A new set of per-listener MCP state (drift baselines, session binding, chains).</summary>
    public McpSessionState NewMcpState() => new(
        new ToolDriftTracker(),
        new SessionBinding(Options.SessionBinding),
        new ChainDetector(Options.Chains, Time));
}

/// <summary>The stateful MCP protections of one listener (or one CLI conversation).</summary>
public sealed record McpSessionState(ToolDriftTracker Drift, SessionBinding Binding, ChainDetector Chains);
