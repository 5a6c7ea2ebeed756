using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// The presets of <c>pipelock generate config --preset X</c>. Each is a <see cref="PipelockConfig"/> built in code
/// and rendered to YAML by <see cref="PresetYamlWriter"/>; loading the YAML gives back an equal config (tested).
/// balanced = Pipelock's defaults; strict = api_allowlist enforced, tighter URL thresholds, blocking actions and
/// the MCP protections on; audit = the same detections with <c>enforce: false</c> (log, never block), as Pipelock's
/// audit preset does (<c>mode: audit</c> alone would still block).
/// </summary>
public static class ConfigPresets
{
    public static readonly IReadOnlyList<string> Names = ["strict", "balanced", "audit"];

    public static PipelockConfig Build(string preset) => preset switch
    {
        "strict" => Strict(),
        "balanced" => PipelockConfig.Default,
        "audit" => Audit(),
        _ => throw new ArgumentException($"unknown preset \"{preset}\"; must be one of {string.Join(", ", Names)}", nameof(preset)),
    };

    public static string Render(string preset) => PresetYamlWriter.Write(Build(preset), preset);

    private static PipelockConfig Strict()
    {
        var d = PipelockConfig.Default;
        return d with
        {
            Mode = ScanMode.Strict,
            FetchProxy = d.FetchProxy with
            {
                Monitoring = d.FetchProxy.Monitoring with
                {
                    EntropyThreshold = 3.5,
                    SubdomainEntropyThreshold = 3.5,
                    MaxUrlLength = 500,
                    MaxRequestsPerMinute = 30,
                },
            },
            ResponseScanning = d.ResponseScanning with { Action = ScanAction.Block },
            RequestBodyScanning = d.RequestBodyScanning with { Action = ScanAction.Block },
            McpInputScanning = new McpInputScanningConfig { Enabled = true, Action = ScanAction.Block, ActionSet = true },
            McpToolScanning = new McpToolScanningConfig { Enabled = true, Action = ScanAction.Block, ActionSet = true, DetectDrift = true },
            McpToolPolicy = new McpToolPolicyConfig { Enabled = true, Action = ScanAction.Block, ActionSet = true },
            McpSessionBinding = new McpSessionBindingConfig { Enabled = true, UnknownToolAction = ScanAction.Block, NoBaselineAction = ScanAction.Block },
            ToolChainDetection = d.ToolChainDetection with { Enabled = true, Action = ScanAction.Block },
        };
    }

    private static PipelockConfig Audit()
    {
        var d = PipelockConfig.Default;
        return d with
        {
            Mode = ScanMode.Audit,
            Enforce = false,
            McpInputScanning = new McpInputScanningConfig { Enabled = true, Action = ScanAction.Warn, ActionSet = true },
            McpToolScanning = new McpToolScanningConfig { Enabled = true, Action = ScanAction.Warn, ActionSet = true, DetectDrift = true },
            McpToolPolicy = new McpToolPolicyConfig { Enabled = true, Action = ScanAction.Warn, ActionSet = true },
            McpSessionBinding = new McpSessionBindingConfig { Enabled = true },
            ToolChainDetection = d.ToolChainDetection with { Enabled = true },
        };
    }
}
