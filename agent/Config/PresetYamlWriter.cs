using System.Globalization;
using System.Text;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// Renders the keys a preset tunes, with comments, from a config object. Keys it does not write stay at their
/// defaults, which is why a preset must only differ from <see cref="PipelockConfig.Default"/> in keys written here
/// (the round-trip test enforces it).
/// </summary>
internal static class PresetYamlWriter
{
    public static string Write(PipelockConfig c, string preset)
    {
        var sb = new StringBuilder();
        sb.Append("# Pipelock configuration, preset \"").Append(preset).AppendLine("\" (pipelock generate config).");
        sb.AppendLine("# Omitted keys use Pipelock's defaults. Validate with: pipelock check --config <file>");
        sb.AppendLine("version: 1");
        sb.Append("mode: ").AppendLine(c.Mode.ToString().ToLowerInvariant());
        sb.AppendLine("# enforce: false logs what would be blocked instead of blocking (fail-closed conditions still block).");
        Kv(sb, 0, "enforce", c.Enforce);
        Kv(sb, 0, "explain_blocks", c.ExplainBlocks);
        List(sb, 0, "api_allowlist", c.ApiAllowlist);

        sb.AppendLine("fetch_proxy:");
        sb.AppendLine("  monitoring:");
        var m = c.FetchProxy.Monitoring;
        Kv(sb, 4, "max_url_length", m.MaxUrlLength);
        Kv(sb, 4, "entropy_threshold", m.EntropyThreshold);
        Kv(sb, 4, "subdomain_entropy_threshold", m.SubdomainEntropyThreshold);
        Kv(sb, 4, "max_requests_per_minute", m.MaxRequestsPerMinute);
        List(sb, 4, "blocklist", m.Blocklist);

        sb.AppendLine("dlp:");
        Kv(sb, 2, "scan_env", c.Dlp.ScanEnv);
        Kv(sb, 2, "include_defaults", c.Dlp.IncludeDefaults);

        sb.AppendLine("response_scanning:");
        Kv(sb, 2, "enabled", c.ResponseScanning.Enabled);
        Kv(sb, 2, "action", c.ResponseScanning.Action);
        Kv(sb, 2, "include_defaults", c.ResponseScanning.IncludeDefaults);

        sb.AppendLine("request_body_scanning:");
        Kv(sb, 2, "enabled", c.RequestBodyScanning.Enabled);
        Kv(sb, 2, "action", c.RequestBodyScanning.Action);
        Kv(sb, 2, "max_body_bytes", c.RequestBodyScanning.MaxBodyBytes);
        Kv(sb, 2, "scan_headers", c.RequestBodyScanning.ScanHeaders);
        Kv(sb, 2, "header_mode", c.RequestBodyScanning.HeaderMode);

        sb.AppendLine("mcp_input_scanning:");
        Kv(sb, 2, "enabled", c.McpInputScanning.Enabled);
        if (c.McpInputScanning.ActionSet) Kv(sb, 2, "action", c.McpInputScanning.Action);
        Kv(sb, 2, "on_parse_error", c.McpInputScanning.OnParseError);

        sb.AppendLine("mcp_tool_scanning:");
        Kv(sb, 2, "enabled", c.McpToolScanning.Enabled);
        if (c.McpToolScanning.ActionSet) Kv(sb, 2, "action", c.McpToolScanning.Action);
        Kv(sb, 2, "detect_drift", c.McpToolScanning.DetectDrift);

        sb.AppendLine("# enabled with no rules uses the built-in rules (destructive commands, credential files, reverse shells, persistence).");
        sb.AppendLine("mcp_tool_policy:");
        Kv(sb, 2, "enabled", c.McpToolPolicy.Enabled);
        if (c.McpToolPolicy.ActionSet) Kv(sb, 2, "action", c.McpToolPolicy.Action);

        sb.AppendLine("mcp_session_binding:");
        Kv(sb, 2, "enabled", c.McpSessionBinding.Enabled);
        Kv(sb, 2, "unknown_tool_action", c.McpSessionBinding.UnknownToolAction);
        Kv(sb, 2, "no_baseline_action", c.McpSessionBinding.NoBaselineAction);

        sb.AppendLine("tool_chain_detection:");
        Kv(sb, 2, "enabled", c.ToolChainDetection.Enabled);
        Kv(sb, 2, "action", c.ToolChainDetection.Action);
        Kv(sb, 2, "window_size", c.ToolChainDetection.WindowSize);
        Kv(sb, 2, "max_gap", c.ToolChainDetection.MaxGap);

        sb.AppendLine("logging:");
        Kv(sb, 2, "format", c.Logging.Format);
        Kv(sb, 2, "output", c.Logging.Output);
        Kv(sb, 2, "include_allowed", c.Logging.IncludeAllowed);
        Kv(sb, 2, "include_blocked", c.Logging.IncludeBlocked);
        return sb.ToString();
    }

    private static void Kv(StringBuilder sb, int indent, string key, object value)
    {
        sb.Append(' ', indent).Append(key).Append(": ").AppendLine(value switch
        {
            bool b => b ? "true" : "false",
            double d => d.ToString("0.0###", CultureInfo.InvariantCulture),
            ScanAction a => a.ToWord(),
            string s => Quote(s),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => Quote(value.ToString() ?? ""),
        });
    }

    private static void List(StringBuilder sb, int indent, string key, IReadOnlyList<string> items)
    {
        sb.Append(' ', indent).Append(key).Append(':');
        if (items.Count == 0) { sb.AppendLine(" []"); return; }
        sb.AppendLine();
        foreach (var item in items) sb.Append(' ', indent + 2).Append("- ").AppendLine(Quote(item));
    }

    /// <summary>Plain when safe, else double-quoted with YAML escapes.</summary>
    internal static string Quote(string s)
    {
        bool plain = s.Length > 0 && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or '/') &&
                     !char.IsAsciiDigit(s[0]) && s is not ("true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~");
        if (plain) return s;
        var sb = new StringBuilder("\"");
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20) sb.Append("\\x").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
