using Pipelock.Scanners.Verdicts;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Binds the root mapping: top-level scalars, every implemented section, and the unknown-key policy of <see cref="KnownSections"/>.</summary>
internal static class TopLevelBinder
{
    public static PipelockConfig Bind(BindContext ctx, YamlMappingNode? root)
    {
        var s = new YamlSection(ctx, "", root, root);
        var d = PipelockConfig.Default;

        var version = s.Int("version", d.Version);
        if (version != 1)
        {
            ctx.Error(s.Node("version"), "version", $"{version} is not supported; must be 1");
            version = 1;
        }
        var mode = s.Enum("mode", "balanced", "strict", "balanced", "audit") switch
        {
            "strict" => ScanMode.Strict,
            "audit" => ScanMode.Audit,
            _ => ScanMode.Balanced,
        };
        var allowlist = s.StringList("api_allowlist", d.ApiAllowlist);
        if (mode == ScanMode.Strict && allowlist.Count == 0)
            ctx.Error(s.Node("api_allowlist") ?? s.Node("mode"), "api_allowlist", "must not be empty in strict mode (strict only allows listed API hosts)");

        var config = new PipelockConfig
        {
            Version = version,
            Mode = mode,
            Enforce = s.Bool("enforce", d.Enforce),
            ExplainBlocks = s.Bool("explain_blocks", d.ExplainBlocks),
            ApiAllowlist = allowlist,
            Internal = s.CidrList("internal", d.Internal),
            TrustedDomains = s.StringList("trusted_domains", d.TrustedDomains),
            MetricsListen = NetworkBinder.HostPort(s, "metrics_listen", d.MetricsListen, allowEmpty: true),
            Ssrf = NetworkBinder.Ssrf(s.Section("ssrf")),
            FetchProxy = NetworkBinder.FetchProxy(s.Section("fetch_proxy")),
            ForwardProxy = NetworkBinder.ForwardProxy(s.Section("forward_proxy")),
            Dlp = ScanningBinder.Dlp(s.Section("dlp")),
            CanaryTokens = ScanningBinder.Canary(s.Section("canary_tokens")),
            SeedPhraseDetection = ScanningBinder.SeedPhrase(s.Section("seed_phrase_detection")),
            ResponseScanning = ScanningBinder.Response(s.Section("response_scanning")),
            RequestBodyScanning = ScanningBinder.RequestBody(s.Section("request_body_scanning")),
            McpInputScanning = McpBinder.Input(s.Section("mcp_input_scanning")),
            McpToolScanning = McpBinder.ToolScanning(s.Section("mcp_tool_scanning")),
            McpToolPolicy = McpBinder.ToolPolicy(s.Section("mcp_tool_policy")),
            McpSessionBinding = McpBinder.SessionBinding(s.Section("mcp_session_binding")),
            ToolChainDetection = McpBinder.ToolChain(s.Section("tool_chain_detection")),
            CrossRequestDetection = NetworkBinder.CrossRequest(s.Section("cross_request_detection")),
            KillSwitch = OperationsBinder.KillSwitch(s.Section("kill_switch")),
            TlsInterception = OperationsBinder.Tls(s.Section("tls_interception")),
            Logging = OperationsBinder.Logging(s.Section("logging")),
            ReverseProxy = NetworkBinder.ReverseProxy(s.Section("reverse_proxy")),
            ScanApi = OperationsBinder.ScanApi(s.Section("scan_api")),
            Transparent = NetworkBinder.Transparent(s.Section("transparent")),
        };
        return config with { UnimplementedSections = ClassifyRest(ctx, s) };
    }

    /// <summary>Applies the top-level policy to every key no binder read; returns the known-but-unimplemented ones.</summary>
    private static ValueList<string> ClassifyRest(BindContext ctx, YamlSection s)
    {
        var notImplemented = new List<string>();
        var unknown = new List<string>();
        foreach (var key in s.Keys.ToList())
        {
            if (KnownSections.Implemented.Contains(key)) continue;
            s.Accept(key);
            if (KnownSections.NotImplemented.Contains(key)) { notImplemented.Add(key); continue; }
            var keyNode = s.KeyNode(key);
            if (KnownSections.Misplaced.TryGetValue(key, out var home))
            {
                ctx.Error(keyNode, key, $"is not a top-level key; did you mean \"{home}\"?");
                continue;
            }
            if (KeySuggester.Suggest(key, KnownSections.All) is { } near)
            {
                ctx.Error(keyNode, key, $"unknown top-level key \"{key}\"; did you mean \"{near}\"?");
                continue;
            }
            unknown.Add($"{key} (line {keyNode?.Start.Line})");
        }
        if (notImplemented.Count > 0)
            ctx.Warn("sections accepted but not implemented in this build (not enforced): " + string.Join(", ", notImplemented));
        if (unknown.Count > 0)
            ctx.Warn("unknown top-level keys ignored (not Pipelock sections this build knows; a newer Pipelock release may define them): " + string.Join(", ", unknown));
        return ValueList<string>.From(notImplemented);
    }
}
