using Pipelock.Scanners.Verdicts;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Binds the MCP sections: input scanning, tool scanning, tool policy, session binding, tool-chain detection.</summary>
internal static class McpBinder
{
    public static McpInputScanningConfig Input(YamlSection s)
    {
        var d = new McpInputScanningConfig();
        var result = new McpInputScanningConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block"),
            ActionSet = s.Has("action"),
            OnParseError = s.Enum("on_parse_error", d.OnParseError, "block", "forward"),
        };
        s.Done();
        return result;
    }

    public static McpToolScanningConfig ToolScanning(YamlSection s)
    {
        var d = new McpToolScanningConfig();
        var result = new McpToolScanningConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block"),
            ActionSet = s.Has("action"),
            DetectDrift = s.Bool("detect_drift", d.DetectDrift),
        };
        s.Done();
        return result;
    }

    public static McpSessionBindingConfig SessionBinding(YamlSection s)
    {
        var d = new McpSessionBindingConfig();
        var result = new McpSessionBindingConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            UnknownToolAction = s.Action("unknown_tool_action", d.UnknownToolAction, "warn", "block"),
            NoBaselineAction = s.Action("no_baseline_action", d.NoBaselineAction, "warn", "block"),
        };
        s.Done();
        return result;
    }

    public static McpToolPolicyConfig ToolPolicy(YamlSection s)
    {
        var d = new McpToolPolicyConfig();
        var profiles = new List<KeyValuePair<string, RedirectProfileConfig>>();
        foreach (var (name, keyNode, value, path) in s.Entries("redirect_profiles"))
        {
            if (value is not YamlMappingNode m)
            {
                s.Context.Error(value, path, $"must be a mapping with exec and reason, got {YamlSection.Describe(value)}");
                continue;
            }
            var p = new YamlSection(s.Context, path, m, m);
            var exec = p.StringList("exec", ValueList<string>.Empty);
            if (exec.Count == 0)
                s.Context.Error(p.Node("exec") ?? keyNode, p.Join("exec"), "is required: the handler command as a list, e.g. [\"/pipelock\", \"internal-redirect\", \"fetch-proxy\"]");
            profiles.Add(new(name, new RedirectProfileConfig(exec, p.String("reason", ""), p.Bool("preserve_argv", false), p.Bool("match_abs_path", false))));
            p.Done();
        }
        var profileNames = profiles.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

        var rules = new List<ToolPolicyRuleConfig>();
        foreach (var r in s.Items("rules"))
        {
            var name = r.Required("name");
            var tool = r.Regex("tool_pattern", required: true) ?? "";
            var arg = r.Has("arg_pattern") ? r.Regex("arg_pattern", required: false) : null;
            var argKey = r.Has("arg_key") ? r.Regex("arg_key", required: false) : null;
            ScanAction? action = r.Has("action") ? r.Action("action", ScanAction.Warn, "warn", "block", "redirect") : null;
            var profile = r.OptionalString("redirect_profile");
            if (profile is { Length: > 0 } && !profileNames.Contains(profile))
            {
                var hint = KeySuggester.Suggest(profile, profileNames) is { } sug ? $"; did you mean \"{sug}\"?" : "";
                var known = profileNames.Count == 0 ? "no redirect_profiles are defined" : "defined: " + string.Join(", ", profileNames.Order(StringComparer.Ordinal));
                s.Context.Error(r.Node("redirect_profile"), r.Join("redirect_profile"), $"unknown redirect profile \"{profile}\" ({known}){hint}");
            }
            if (action == ScanAction.Redirect && string.IsNullOrEmpty(profile))
                s.Context.Error(r.Node("action"), r.Join("action"), "redirect needs a redirect_profile on the rule");
            rules.Add(new ToolPolicyRuleConfig(name, tool, arg, argKey, action, string.IsNullOrEmpty(profile) ? null : profile));
            r.Done();
        }

        var result = new McpToolPolicyConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block", "redirect"),
            ActionSet = s.Has("action"),
            Rules = ValueList<ToolPolicyRuleConfig>.From(rules),
            RedirectProfiles = ValueMap<RedirectProfileConfig>.From(profiles),
            QuarantineDir = s.String("quarantine_dir", d.QuarantineDir),
        };
        if (result.Action == ScanAction.Redirect && rules.Count > 0 && rules.Any(r => r.Action is null && r.RedirectProfile is null))
            s.Context.Error(s.Node("action"), s.Join("action"), "redirect as the section action needs every rule without its own action to name a redirect_profile");
        s.Done();
        return result;
    }

    public static ToolChainConfig ToolChain(YamlSection s)
    {
        var d = new ToolChainConfig();
        var categories = new List<KeyValuePair<string, string>>();
        foreach (var (name, _, value, path) in s.Entries("tool_categories"))
        {
            if (value is YamlScalarNode v && ToolChainConfig.Categories.Contains(v.Value ?? ""))
                categories.Add(new(name, v.Value!));
            else
                s.Context.Error(value, path, $"{YamlSection.Describe(value)} is not valid; must be one of {string.Join(", ", ToolChainConfig.Categories)}");
        }
        var overrides = new List<KeyValuePair<string, ScanAction>>();
        foreach (var (name, _, value, path) in s.Entries("pattern_overrides"))
        {
            if (value is YamlScalarNode { Value: "warn" or "block" } v) overrides.Add(new(name, ScanActions.Parse(v.Value)));
            else s.Context.Error(value, path, $"{YamlSection.Describe(value)} is not valid; must be one of warn, block");
        }
        var custom = new List<ChainPatternConfig>();
        foreach (var p in s.Items("custom_patterns"))
        {
            var name = p.Required("name");
            var seq = p.StringList("sequence", ValueList<string>.Empty);
            if (seq.Count < 2)
                s.Context.Error(p.Node("sequence") ?? p.Anchor, p.Join("sequence"), "needs at least 2 steps");
            foreach (var step in seq)
                if (!ToolChainConfig.Categories.Contains(step))
                    s.Context.Error(p.Node("sequence"), p.Join("sequence"), $"\"{step}\" is not valid; steps must be one of {string.Join(", ", ToolChainConfig.Categories)}");
            custom.Add(new ChainPatternConfig(name, seq,
                p.Severity("severity", Scanners.Verdicts.Severity.High, "medium", "high", "critical"),
                p.Action("action", ScanAction.Warn, "warn", "block")));
            p.Done();
        }
        var result = new ToolChainConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block"),
            WindowSize = s.Int("window_size", d.WindowSize, 1, 10000),
            WindowSeconds = s.Int("window_seconds", d.WindowSeconds, 1),
            MaxGap = s.Int("max_gap", d.MaxGap, 0, 1000),
            ToolCategories = ValueMap<string>.From(categories),
            PatternOverrides = ValueMap<ScanAction>.From(overrides),
            CustomPatterns = ValueList<ChainPatternConfig>.From(custom),
        };
        s.Done();
        return result;
    }
}
