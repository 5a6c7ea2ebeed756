using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Config;

public class ConfigLoaderHelmTests
{
    [Fact]
    public void LoadText_HelmTemplateWithDefaults_LoadsWithBuiltInPolicyRules()
    {
        var yaml = HelmConfigRenderer.Render();

        var result = ConfigLoader.LoadText(yaml, "pipelock.yaml");

        Assert.Empty(result.Errors);
        var c = result.Config!;
        Assert.True(c.McpToolPolicy.UseBuiltInRules); // template default for mcpToolPolicy.enabled is true
        Assert.False(c.Logging.IncludeAllowed);
        Assert.Equal("json", c.Logging.Format);
        Assert.Equal(ScanAction.Warn, c.RequestBodyScanning.Action);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("health_watchdog", warning);
        Assert.Contains("flight_recorder", warning);
    }

    [Fact]
    public void LoadText_HelmTemplateWithRulesProfilesAndExtraConfig_LoadsEveryKey()
    {
        var yaml = HelmConfigRenderer.Render(new Dictionary<string, string>
        {
            ["trustedDomains"] = "trusted_domains:\n  - \"api.internal.example.com\"\n  - \"*.corp.example.com\"\n",
            ["mcpToolPolicy.rules"] =
                "  rules:\n" +
                "    - name: \"redirect-fetch\"\n      tool_pattern: \"^(fetch|web_fetch)$\"\n      action: \"redirect\"\n      redirect_profile: \"safe-fetch\"\n" +
                "    - name: \"no-rm\"\n      tool_pattern: \"^bash$\"\n      arg_pattern: \"rm\\\\s+-rf\"\n      arg_key: \"^command$\"\n      action: \"block\"\n",
            ["mcpToolPolicy.redirectProfiles"] =
                "  redirect_profiles:\n    safe-fetch:\n      exec:\n      - /pipelock\n      - internal-redirect\n      - fetch-proxy\n      reason: Route fetch calls through audited proxy\n",
            ["$frDir"] = "  dir: \"/var/lib/pipelock/evidence\"\n",
            ["$frSigningKeyPath"] = "  signing_key_path: \"/etc/pipelock/keys/flight-recorder-signing.key\"\n",
            ["extraConfig"] =
                "session_profiling:\n  enabled: true\n  max_sessions: 500\n" +
                "adaptive_enforcement:\n  enabled: true\n  exempt_domains:\n  - api.openai.com\n" +
                "kill_switch:\n  api_listen: :9090\n" +
                "reverse_proxy:\n  enabled: true\n  listen: 0.0.0.0:8890\n  upstream: http://web:3000\n" +
                "emit:\n  otlp:\n    endpoint: http://otel:4318\n" +
                "sandbox:\n  enabled: false\n" +
                "data_budget:\n  max_bytes: 1000\n" +
                "redaction:\n  enabled: true\n" +
                "browser_shield:\n  enabled: true\n" +
                "mediation_envelope:\n  enabled: true\n" +
                "learn:\n  enabled: false\n" +
                "media_policy:\n  enabled: true\n" +
                "a2a_scanning:\n  enabled: true\n" +
                "request_policy:\n  enabled: true\n",
        });

        var result = ConfigLoader.LoadText(yaml, "pipelock.yaml");

        Assert.Empty(result.Errors);
        var c = result.Config!;
        Assert.Equal(["api.internal.example.com", "*.corp.example.com"], c.TrustedDomains);
        Assert.Equal(2, c.McpToolPolicy.Rules.Count);
        Assert.Equal("safe-fetch", c.McpToolPolicy.Rules[0].RedirectProfile);
        Assert.Equal(ScanAction.Redirect, c.McpToolPolicy.Rules[0].Action);
        Assert.Equal("^command$", c.McpToolPolicy.Rules[1].ArgKey);
        Assert.False(c.McpToolPolicy.UseBuiltInRules);
        Assert.Equal(["/pipelock", "internal-redirect", "fetch-proxy"], c.McpToolPolicy.RedirectProfiles["safe-fetch"].Exec);
        Assert.Equal(":9090", c.KillSwitch.ApiListen);
        Assert.Equal("http://web:3000", c.ReverseProxy.Upstream);
        var warning = Assert.Single(result.Warnings);
        foreach (var section in new[] { "session_profiling", "adaptive_enforcement", "emit", "sandbox", "data_budget", "request_policy", "flight_recorder" })
            Assert.Contains(section, warning);
    }
}
