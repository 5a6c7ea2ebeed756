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
    public ScanEngine(ScanEngineOptions? options = null, IEnvironmentSource? environment = null, IHostResolver? resolver = null, TimeProvider? time = null)
    {
        Options = options ?? ScanEngineOptions.Default;
        Dlp = new DlpScanner(Options.Dlp, environment);
        Injection = new InjectionScanner(Options.Injection);
        Url = new UrlScanner(Options.Url, Dlp, resolver, time);
        Body = new RequestBodyScanner(Options.Body, Dlp);
        McpInput = new McpInputScanner(Options.McpInput, Dlp, Injection);
        McpResponse = new McpResponseScanner(Options.McpResponse, Injection, Dlp);
        ToolPoisoning = new ToolPoisoningScanner(Options.ToolScan, Injection);
        ToolPolicy = new ToolPolicy(Options.ToolPolicy);
        Time = time ?? TimeProvider.System;
    }

    public ScanEngineOptions Options { get; }
    public TimeProvider Time { get; }
    public DlpScanner Dlp { get; }
    public InjectionScanner Injection { get; }
    public UrlScanner Url { get; }
    public RequestBodyScanner Body { get; }
    public McpInputScanner McpInput { get; }
    public McpResponseScanner McpResponse { get; }
    public ToolPoisoningScanner ToolPoisoning { get; }
    public ToolPolicy ToolPolicy { get; }

    /// <summary>A new set of per-listener MCP state (drift baselines, session binding, chains).</summary>
    public McpSessionState NewMcpState() => new(
        new ToolDriftTracker(),
        new SessionBinding(Options.SessionBinding),
        new ChainDetector(Options.Chains, Time));
}

/// <summary>The stateful MCP protections of one listener (or one CLI conversation).</summary>
public sealed record McpSessionState(ToolDriftTracker Drift, SessionBinding Binding, ChainDetector Chains);
