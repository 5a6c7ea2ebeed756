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
/// Every scanner's narrow options in one immutable snapshot. The agent derives it from the YAML config; a reload
/// builds a new snapshot and a new <see cref="ScanEngine"/> and swaps it atomically.
/// </summary>
public sealed record ScanEngineOptions
{
    public static readonly ScanEngineOptions Default = new();

    /// <summary><c>enforce</c>: false turns blocks into warnings (fail-closed conditions excepted), see DecisionPolicy.</summary>
    public bool Enforce { get; init; } = true;

    public DlpOptions Dlp { get; init; } = new();
    public InjectionOptions Injection { get; init; } = InjectionOptions.Default;
    public UrlScannerOptions Url { get; init; } = UrlScannerOptions.Default;
    public BodyOptions Body { get; init; } = BodyOptions.Default;
    public McpInputOptions McpInput { get; init; } = McpInputOptions.AutoEnabled;
    public McpResponseOptions McpResponse { get; init; } = McpResponseOptions.Default;
    public ToolScanOptions ToolScan { get; init; } = ToolScanOptions.AutoEnabled;
    public ToolPolicyOptions ToolPolicy { get; init; } = new() { Enabled = true };
    public SessionBindingOptions SessionBinding { get; init; } = SessionBindingOptions.Default;
    public ChainOptions Chains { get; init; } = ChainOptions.Default;
}
