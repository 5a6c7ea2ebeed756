using Pipelock.Agent.Config;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Config;

public class ConfigLoaderDefaultsTests
{
    [Fact]
    public void LoadText_SectionsPresentButKeysOmitted_BooleansDefaultTrueAsInPipelock()
    {
        var c = ConfigLoader.LoadText("dlp: {}\nresponse_scanning:\n  action: block\nrequest_body_scanning: {}\nlogging: {}\nscan_api: {}\n").Config!;

        Assert.True(c.Dlp.ScanEnv);
        Assert.True(c.ResponseScanning.Enabled);
        Assert.True(c.ResponseScanning.SseStreaming.Enabled);
        Assert.True(c.RequestBodyScanning.Enabled);
        Assert.True(c.RequestBodyScanning.ScanHeaders);
        Assert.True(c.Logging.IncludeAllowed);
        Assert.True(c.Logging.IncludeBlocked);
        Assert.True(c.ScanApi.KindPromptInjection);
        Assert.Equal(ScanAction.Block, c.ResponseScanning.Action);
    }

    [Fact]
    public void LoadText_NullValues_ReadAsOmitted()
    {
        var c = ConfigLoader.LoadText("dlp:\n  scan_env:\nresponse_scanning: ~\n").Config!;

        Assert.True(c.Dlp.ScanEnv);
        Assert.Equal(PipelockConfig.Default.ResponseScanning, c.ResponseScanning);
    }

    [Fact]
    public void LoadText_FullSections_BindsEveryKey()
    {
        var yaml = """
            mode: strict
            enforce: false
            api_allowlist: [api.example.com]
            internal: [10.0.0.0/8, "fd00::/8"]
            ssrf:
              ip_allowlist: [192.168.1.0/24]
            fetch_proxy:
              listen: 0.0.0.0:8888
              monitoring:
                max_url_length: 500
                entropy_threshold: 3.5
                max_data_per_minute: 1048576
                blocklist: ["*.evil.test"]
            dlp:
              min_env_secret_length: 20
              patterns:
                - name: Internal Token
                  regex: 'itk_[a-z0-9]{32}'
                  severity: critical
                  validator: luhn
                  exempt_domains: [internal.example.com]
                  action: warn
            canary_tokens:
              enabled: true
              tokens:
                - name: db
                  value: canary-value-123
            tls_interception:
              enabled: true
              upstream_ca_file: /etc/ssl/extra.pem
              cert_ttl: 1h30m
              passthrough_domains: ["*.stripe.com"]
            transparent:
              enabled: true
              mode: gateway
              ports: [80, 443, 8080]
              uids: [1000]
              gids: [1000]
              cgroups: [/system.slice/app.service]
              interfaces: [eth1]
              exclude_cidrs: [10.0.0.0/8]
              listen_port: 15001
              fail_mode: open
            tool_chain_detection:
              enabled: true
              tool_categories:
                run_sql: exec
              pattern_overrides:
                read-then-exec: block
              custom_patterns:
                - name: env-exec
                  sequence: [env, exec]
                  severity: critical
                  action: block
            mcp_tool_policy:
              enabled: true
              action: block
              rules:
                - name: fetch
                  tool_pattern: "^fetch$"
                  redirect_profile: safe
              redirect_profiles:
                safe:
                  exec: [/usr/bin/handler, --safe]
                  reason: audited
                  preserve_argv: true
                  match_abs_path: true
            kill_switch:
              enabled: true
              allowlist_ips: [10.0.0.0/8]
            """;

        var result = ConfigLoader.LoadText(yaml);

        Assert.Empty(result.Errors);
        var c = result.Config!;
        Assert.Equal(ScanMode.Strict, c.Mode);
        Assert.False(c.Enforce);
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], c.Internal);
        Assert.Equal(1048576, c.FetchProxy.Monitoring.MaxDataPerMinute);
        var p = Assert.Single(c.Dlp.Patterns);
        Assert.Equal(new DlpPatternConfig("Internal Token", "itk_[a-z0-9]{32}", Severity.Critical, "luhn", ValueList<string>.Of("internal.example.com"), "warn"), p);
        Assert.Equal(TimeSpan.FromMinutes(90), c.TlsInterception.CertTtl);
        Assert.Equal("/etc/ssl/extra.pem", c.TlsInterception.UpstreamCaFile);
        Assert.Equal("gateway", c.Transparent.Mode);
        Assert.Equal([80, 443, 8080], c.Transparent.Ports);
        Assert.Equal("open", c.Transparent.FailMode);
        Assert.Equal("exec", c.ToolChainDetection.ToolCategories["run_sql"]);
        Assert.Equal(ScanAction.Block, c.ToolChainDetection.PatternOverrides["read-then-exec"]);
        Assert.Equal(Severity.Critical, Assert.Single(c.ToolChainDetection.CustomPatterns).Severity);
        var profile = c.McpToolPolicy.RedirectProfiles["safe"];
        Assert.True(profile.PreserveArgv && profile.MatchAbsPath);
        Assert.Null(c.McpToolPolicy.Rules[0].Action);
        Assert.True(c.KillSwitch.Enabled);
    }
}
