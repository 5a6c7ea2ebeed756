using System.Collections.Immutable;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.Chains;
using Pipelock.Scanners.Mcp.Session;
using Pipelock.Scanners.Mcp.Tools;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Url;

namespace Pipelock.Agent.Config;

/// <summary>
/// Derives each scanner's narrow options from the validated config. This is the only place that knows both
/// shapes: scanners never see <see cref="PipelockConfig"/>. <c>secrets_file</c> is read here (scanners never read files);
/// a file that cannot be read is an error the caller reports, never a silently empty list.
/// </summary>
public static class ScanEngineOptionsMapper
{
    public static ScanEngineOptions Map(PipelockConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ScanEngineOptions
        {
            Enforce = c.Enforce,
            Dlp = MapDlp(c),
            Injection = new InjectionOptions
            {
                Enabled = c.ResponseScanning.Enabled,
                Action = c.ResponseScanning.Action,
                IncludeDefaults = c.ResponseScanning.IncludeDefaults,
                Patterns = [.. c.ResponseScanning.Patterns.Select(static p => new InjectionPattern(p.Name, p.Regex))],
            },
            Url = new UrlScannerOptions
            {
                Mode = c.Mode,
                ApiAllowlist = c.ApiAllowlist,
                Blocklist = c.FetchProxy.Monitoring.Blocklist,
                InternalCidrs = c.Internal,
                TrustedDomains = c.TrustedDomains,
                SsrfIpAllowlist = c.Ssrf.IpAllowlist,
                SsrfEnabled = c.Internal.Count > 0,
                MaxUrlLength = c.FetchProxy.Monitoring.MaxUrlLength,
                EntropyThreshold = c.FetchProxy.Monitoring.EntropyThreshold,
                SubdomainEntropyThreshold = c.FetchProxy.Monitoring.SubdomainEntropyThreshold,
                SubdomainEntropyExclusions = c.FetchProxy.Monitoring.SubdomainEntropyExclusions,
                MaxRequestsPerMinute = c.FetchProxy.Monitoring.MaxRequestsPerMinute,
                MaxDataPerMinute = c.FetchProxy.Monitoring.MaxDataPerMinute,
            },
            Body = MapBody(c.RequestBodyScanning),
            McpInput = new McpInputOptions
            {
                Enabled = c.McpInputScanning.Enabled,
                Action = c.McpInputScanning.Action,
                OnParseError = c.McpInputScanning.OnParseError == "forward" ? McpParseErrorAction.Forward : McpParseErrorAction.Block,
            },
            McpResponse = new McpResponseOptions { Enabled = c.ResponseScanning.Enabled, Action = c.ResponseScanning.Action },
            ToolScan = new ToolScanOptions
            {
                Enabled = c.McpToolScanning.Enabled,
                Action = c.McpToolScanning.Action,
                DetectDrift = c.McpToolScanning.DetectDrift,
            },
            ToolPolicy = MapPolicy(c.McpToolPolicy),
            SessionBinding = new SessionBindingOptions
            {
                Enabled = c.McpSessionBinding.Enabled,
                UnknownToolAction = c.McpSessionBinding.UnknownToolAction,
                NoBaselineAction = c.McpSessionBinding.NoBaselineAction,
            },
            Chains = new ChainOptions
            {
                Enabled = c.ToolChainDetection.Enabled,
                WindowSize = c.ToolChainDetection.WindowSize,
                WindowSeconds = c.ToolChainDetection.WindowSeconds,
                MaxGap = c.ToolChainDetection.MaxGap,
                ToolCategories = c.ToolChainDetection.ToolCategories
                    .GroupBy(static kv => kv.Value, StringComparer.Ordinal)
                    .ToDictionary(static g => g.Key, static g => (IReadOnlyList<string>)g.Select(static kv => kv.Key).ToArray(), StringComparer.Ordinal),
                PatternOverrides = c.ToolChainDetection.PatternOverrides.ToDictionary(static kv => kv.Key, static kv => kv.Value, StringComparer.Ordinal),
                CustomPatterns = [.. c.ToolChainDetection.CustomPatterns.Select(static p => new ChainPattern(p.Name, p.Sequence, p.Severity, p.Action))],
            },
        };
    }

    private static DlpOptions MapDlp(PipelockConfig c) => new()
    {
        IncludeDefaults = c.Dlp.IncludeDefaults,
        Patterns = [.. c.Dlp.Patterns.Select(static p => new DlpPattern(p.Name, p.Regex, p.Severity,
            string.IsNullOrEmpty(p.Validator) ? null : p.Validator, p.ExemptDomains, p.Action ?? ""))],
        ScanEnv = c.Dlp.ScanEnv,
        MinEnvSecretLength = c.Dlp.MinEnvSecretLength,
        FileSecrets = string.IsNullOrEmpty(c.Dlp.SecretsFile) ? [] : SecretsFile.Load(c.Dlp.SecretsFile, c.Dlp.MinEnvSecretLength),
        CanaryTokens = c.CanaryTokens.Enabled
            ? [.. c.CanaryTokens.Tokens.Select(static t => new CanaryToken(t.Name, t.Value, string.IsNullOrEmpty(t.EnvVar) ? null : t.EnvVar))]
            : [],
        SeedPhraseDetection = c.SeedPhraseDetection.Enabled,
        SeedPhraseMinWords = c.SeedPhraseDetection.MinWords,
        SeedPhraseVerifyChecksum = c.SeedPhraseDetection.VerifyChecksum,
    };

    private static BodyOptions MapBody(RequestBodyScanningConfig b)
    {
        var o = new BodyOptions
        {
            Enabled = b.Enabled,
            Action = b.Action,
            MaxBodyBytes = b.MaxBodyBytes,
            ScanHeaders = b.ScanHeaders,
            HeaderMode = b.HeaderMode == "all" ? HeaderScanMode.All : HeaderScanMode.Sensitive,
        };
        if (b.SensitiveHeaders.Count > 0) o = o with { SensitiveHeaders = b.SensitiveHeaders };
        if (b.IgnoreHeaders.Count > 0) o = o with { IgnoreHeaders = b.IgnoreHeaders };
        return o;
    }

    private static ToolPolicyOptions MapPolicy(McpToolPolicyConfig p) => new()
    {
        Enabled = p.Enabled,
        Action = p.Action,
        // Enabled with no rules means the built-in rules (ToolPolicyOptions.EffectiveRules does that for an empty list).
        Rules = [.. p.Rules.Select(static r => new ToolPolicyRule(r.Name, r.ToolPattern, r.ArgPattern, r.ArgKey, r.Action, r.RedirectProfile))],
        RedirectProfiles = p.RedirectProfiles.ToImmutableDictionary(
            static kv => kv.Key,
            static kv => new RedirectProfile(kv.Key, [.. kv.Value.Exec], kv.Value.Reason, kv.Value.PreserveArgv, kv.Value.MatchAbsPath),
            StringComparer.Ordinal),
    };
}
