namespace Pipelock.Agent.Config.Binding;

/// <summary>Binds the operational sections: kill_switch, tls_interception, logging, scan_api.</summary>
internal static class OperationsBinder
{
    public static KillSwitchConfig KillSwitch(YamlSection s)
    {
        var d = new KillSwitchConfig();
        var result = new KillSwitchConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            SentinelFile = s.String("sentinel_file", d.SentinelFile),
            Message = s.String("message", d.Message),
            HealthExempt = s.Bool("health_exempt", d.HealthExempt),
            MetricsExempt = s.Bool("metrics_exempt", d.MetricsExempt),
            ApiExempt = s.Bool("api_exempt", d.ApiExempt),
            ApiToken = s.String("api_token", d.ApiToken),
            ApiListen = NetworkBinder.HostPort(s, "api_listen", d.ApiListen, allowEmpty: true),
            AllowlistIps = s.CidrList("allowlist_ips", d.AllowlistIps),
        };
        s.Done();
        return result;
    }

    public static TlsInterceptionConfig Tls(YamlSection s)
    {
        var d = new TlsInterceptionConfig();
        var result = new TlsInterceptionConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            CaCert = s.String("ca_cert", d.CaCert),
            CaKey = s.String("ca_key", d.CaKey),
            UpstreamCaFile = s.String("upstream_ca_file", d.UpstreamCaFile),
            PassthroughDomains = s.StringList("passthrough_domains", d.PassthroughDomains),
            CertTtl = s.Duration("cert_ttl", d.CertTtl),
            CertCacheSize = s.Int("cert_cache_size", d.CertCacheSize, 1),
            MaxResponseBytes = s.Long("max_response_bytes", d.MaxResponseBytes, 1),
        };
        if (result.CertTtl < TimeSpan.FromMinutes(1) && s.Has("cert_ttl"))
        {
            s.Context.Error(s.Node("cert_ttl"), s.Join("cert_ttl"), $"\"{GoDuration.Format(result.CertTtl)}\" is too short; must be at least 1m");
            result = result with { CertTtl = d.CertTtl };
        }
        s.Done();
        return result;
    }

    public static LoggingConfig Logging(YamlSection s)
    {
        var d = new LoggingConfig();
        var result = new LoggingConfig
        {
            Format = s.Enum("format", d.Format, "json", "text"),
            Output = s.Enum("output", d.Output, "stdout", "file", "both"),
            File = s.String("file", d.File),
            IncludeAllowed = s.Bool("include_allowed", d.IncludeAllowed),
            IncludeBlocked = s.Bool("include_blocked", d.IncludeBlocked),
        };
        if (result.Output is "file" or "both" && result.File.Length == 0)
            s.Context.Error(s.Node("output"), s.Join("file"), $"is required when output is {result.Output}");
        s.Done();
        return result;
    }

    public static ScanApiConfig ScanApi(YamlSection s)
    {
        var d = new ScanApiConfig();
        var rl = s.Section("rate_limit");
        var fl = s.Section("field_limits");
        var to = s.Section("timeouts");
        var kinds = s.Section("kinds");
        var result = new ScanApiConfig
        {
            Listen = NetworkBinder.HostPort(s, "listen", d.Listen, allowEmpty: true),
            RequestsPerMinute = rl.Int("requests_per_minute", d.RequestsPerMinute, 1),
            Burst = rl.Int("burst", d.Burst, 1),
            MaxBodyBytes = s.Long("max_body_bytes", d.MaxBodyBytes, 1),
            UrlFieldLimit = fl.Int("url", d.UrlFieldLimit, 1),
            TextFieldLimit = fl.Int("text", d.TextFieldLimit, 1),
            ContentFieldLimit = fl.Int("content", d.ContentFieldLimit, 1),
            ArgumentsFieldLimit = fl.Int("arguments", d.ArgumentsFieldLimit, 1),
            ReadTimeout = to.Duration("read", d.ReadTimeout),
            WriteTimeout = to.Duration("write", d.WriteTimeout),
            ScanTimeout = to.Duration("scan", d.ScanTimeout),
            ConnectionLimit = s.Int("connection_limit", d.ConnectionLimit, 1),
            KindUrl = kinds.Bool("url", d.KindUrl),
            KindDlp = kinds.Bool("dlp", d.KindDlp),
            KindPromptInjection = kinds.Bool("prompt_injection", d.KindPromptInjection),
            KindToolCall = kinds.Bool("tool_call", d.KindToolCall),
        };
        rl.Done(); fl.Done(); to.Done(); kinds.Done();
        s.Done();
        return result;
    }
}
