using Pipelock.Agent.Config;

namespace Pipelock.Agent.Tests.Config;

public class ConfigLoaderTests
{
    public static TheoryData<string, int, int, string, string> Cases => new()
    {
        // yaml, line, column, key path, message fragment (what is allowed)
        { "response_scanning:\n  action: blok\n", 2, 11, "response_scanning.action", "\"blok\" is not valid; must be one of block, strip, warn, ask" },
        { "mode: paranoid\n", 1, 7, "mode", "must be one of strict, balanced, audit" },
        { "dlp:\n  scan_env: maybe\n", 2, 13, "dlp.scan_env", "must be true or false" },
        { "enforce: \"false\"\n", 1, 10, "enforce", "the string \"false\" is not valid; must be true or false" },
        { "fetch_proxy:\n  timeout_seconds: abc\n", 2, 20, "fetch_proxy.timeout_seconds", "must be an integer" },
        { "fetch_proxy:\n  monitoring:\n    entropy_threshold: high\n", 3, 24, "fetch_proxy.monitoring.entropy_threshold", "must be a number" },
        { "transparent:\n  listen_port: 70000\n", 2, 16, "transparent.listen_port", "must be between 1 and 65535" },
        { "transparent:\n  ports: [80, 0]\n", 2, 15, "transparent.ports[1]", "must be an integer between 1 and 65535" },
        { "transparent:\n  fail_mode: half\n", 2, 14, "transparent.fail_mode", "must be one of closed, open" },
        { "transparent:\n  exclude_cidrs: [10.0.0.0/33]\n", 2, 19, "transparent.exclude_cidrs[0]", "is not a valid CIDR" },
        { "internal:\n  - 10.0.0/8\n", 2, 5, "internal[0]", "is not a valid CIDR" },
        { "ssrf:\n  ip_allowlist:\n    - 10.1.2.3/8\n", 3, 7, "ssrf.ip_allowlist[0]", "has host bits set; write the network as 10.0.0.0/8" },
        { "ssrf:\n  ip_allowlist: [0.0.0.0/0]\n", 2, 18, "ssrf.ip_allowlist[0]", "would exempt every address" },
        { "tls_interception:\n  cert_ttl: 24 hours\n", 2, 13, "tls_interception.cert_ttl", "must be a duration like \"24h\"" },
        { "scan_api:\n  timeouts:\n    scan: 5\n", 3, 11, "scan_api.timeouts.scan", "must be a duration" },
        { "dlp:\n  patterns:\n    - name: x\n      regex: \"(unclosed\"\n", 4, 14, "dlp.patterns[0].regex", "invalid regular expression" },
        { "dlp:\n  patterns:\n    - name: x\n", 3, 7, "dlp.patterns[0].regex", "is required" },
        { "dlp:\n  patterns:\n    - name: x\n      regex: abc\n      severity: severe\n", 5, 17, "dlp.patterns[0].severity", "must be one of critical, high, medium, low" },
        { "dlp:\n  scan_envv: true\n", 2, 3, "dlp.scan_envv", "unknown key \"scan_envv\"; did you mean \"scan_env\"?" },
        { "dlp:\n  action: block\n", 2, 3, "dlp.action", "is reserved" },
        { "mode: balanced\n---\nmode: strict\n", 3, 1, "", "multiple YAML documents are not allowed" },
        { "mode: strict\napi_allowlist: []\n", 2, 16, "api_allowlist", "must not be empty in strict mode" },
        { "mcp_tool_policy:\n  enabled: true\n  rules:\n    - name: r\n      tool_pattern: fetch\n      redirect_profile: nope\n", 6, 25, "mcp_tool_policy.rules[0].redirect_profile", "unknown redirect profile \"nope\"" },
        { "mcp_tool_policy:\n  rules:\n    - name: r\n      tool_pattern: \"[a-\"\n", 4, 21, "mcp_tool_policy.rules[0].tool_pattern", "invalid regular expression" },
        { "mcp_tool_policy:\n  rules:\n    - name: r\n      tool_pattern: x\n      action: redirect\n", 5, 15, "mcp_tool_policy.rules[0].action", "needs a redirect_profile" },
        { "mcp_tool_policy:\n  redirect_profiles:\n    p:\n      reason: r\n", 3, 5, "mcp_tool_policy.redirect_profiles.p.exec", "is required" },
        { "response_scaning:\n  enabled: false\n", 1, 1, "response_scaning", "did you mean \"response_scanning\"?" },
        { "blocklist: [evil.com]\n", 1, 1, "blocklist", "did you mean \"fetch_proxy.monitoring.blocklist\"?" },
        { "dlp: true\n", 1, 6, "dlp", "must be a mapping" },
        { "api_allowlist: github.com\n", 1, 16, "api_allowlist", "must be a list" },
        { "mode: [balanced\n", 2, 1, "", "invalid YAML" },
        { "version: 2\n", 1, 10, "version", "2 is not supported; must be 1" },
        { "seed_phrase_detection:\n  min_words: 13\n", 2, 14, "seed_phrase_detection.min_words", "must be one of 12, 15, 18, 21, 24" },
        { "cross_request_detection:\n  enabled: true\n", 2, 12, "cross_request_detection.enabled", "both entropy_budget and fragment_reassembly are disabled" },
        { "logging:\n  output: file\n", 2, 11, "logging.file", "is required when output is file" },
        { "mode: balanced\nmode: strict\n", 2, 1, "mode", "duplicate key \"mode\"; keys must be unique" },
        { "- a\n- b\n", 1, 1, "", "must be a mapping of sections" },
        { "tool_chain_detection:\n  custom_patterns:\n    - name: c\n      sequence: [read]\n", 4, 17, "tool_chain_detection.custom_patterns[0].sequence", "needs at least 2 steps" },
        { "tool_chain_detection:\n  tool_categories:\n    my_tool: teleport\n", 3, 14, "tool_chain_detection.tool_categories.my_tool", "must be one of read, write, exec" },
        { "reverse_proxy:\n  enabled: true\n  listen: :8890\n  upstream: web:3000\n", 4, 13, "reverse_proxy.upstream", "must be an absolute http(s) URL" },
        { "kill_switch:\n  api_listen: localhost\n", 2, 15, "kill_switch.api_listen", "must be host:port or :port" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadText_InvalidValue_ReportsFileLineKeyAndAllowed(string yaml, int line, int column, string keyPath, string message)
    {
        var result = ConfigLoader.LoadText(yaml, "pipelock.yaml");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("pipelock.yaml", error.File);
        Assert.Equal((line, column, keyPath), (error.Line, error.Column, error.KeyPath));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ToString_ValueError_FormatsLikeCompilerDiagnostics()
    {
        var error = ConfigLoader.LoadText("version: 1\nresponse_scanning:\n  enabled: true\n  action: blok\n", "pipelock.yaml").Errors.Single();

        Assert.Equal("pipelock.yaml:4:11: response_scanning.action: \"blok\" is not valid; must be one of block, strip, warn, ask", error.ToString());
    }

    [Fact]
    public void LoadText_SeveralMistakes_ReportsAllOfThem()
    {
        var yaml = "mode: paranoid\ndlp:\n  scan_envv: true\nresponse_scanning:\n  action: blok\ntransparent:\n  listen_port: 0\n";

        var result = ConfigLoader.LoadText(yaml, "p.yaml");

        Assert.Equal(
            ["dlp.scan_envv", "mode", "response_scanning.action", "transparent.listen_port"],
            result.Errors.Select(e => e.KeyPath).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void LoadText_EmptyDocument_LoadsDefaults(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(PipelockConfig.Default, result.Config);
    }

    [Fact]
    public void LoadText_UnknownTopLevelSection_WarnsWithoutFailing()
    {
        var result = ConfigLoader.LoadText("mode: balanced\nquantum_shield:\n  enabled: true\n", "p.yaml");

        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("quantum_shield (line 2)", warning);
        Assert.Empty(result.Config!.UnimplementedSections);
    }

    [Fact]
    public void LoadText_UnimplementedAndUnknownSections_OneWarningEach()
    {
        var result = ConfigLoader.LoadText("websocket_proxy:\n  enabled: false\nsandbox: {}\nemit: {}\nquantum_shield: {}\n");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains("websocket_proxy, sandbox, emit", result.Warnings[0]);
        Assert.Equal(["websocket_proxy", "sandbox", "emit"], result.Config!.UnimplementedSections);
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsError()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(Path.GetTempPath(), "pipelock-missing-" + Guid.NewGuid() + ".yaml"));

        Assert.Contains("file not found", Assert.Single(result.Errors).Message);
    }
}
