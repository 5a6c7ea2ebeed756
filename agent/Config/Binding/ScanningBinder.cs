using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Binds the content-scanning sections: dlp, canary_tokens, seed_phrase_detection, response_scanning, request_body_scanning.</summary>
internal static class ScanningBinder
{
    private static readonly string[] Severities = ["critical", "high", "medium", "low"];

    public static DlpConfig Dlp(YamlSection s)
    {
        var d = new DlpConfig();
        if (s.KeyNode("action") is { } actionKey)
        {
            s.Accept("action");
            s.Context.Error(actionKey, s.Join("action"),
                "is reserved and not supported; set actions per section (e.g. request_body_scanning.action) or per pattern (dlp.patterns[].action: warn)");
        }
        var patterns = new List<DlpPatternConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in s.Items("patterns"))
        {
            var name = p.Required("name");
            var regex = p.Regex("regex", required: true);
            var pattern = new DlpPatternConfig(
                name,
                regex ?? "",
                p.Severity("severity", Severity.High, Severities),
                p.Has("validator") ? p.Enum("validator", "", "luhn", "mod97", "aba", "wif") : "",
                p.StringList("exempt_domains", ValueList<string>.Empty),
                p.Has("action") ? p.Enum("action", "", "warn") : "");
            if (name.Length > 0 && !names.Add(name))
                s.Context.Error(p.Anchor, p.Join("name"), $"duplicate pattern name \"{name}\"");
            p.Done();
            patterns.Add(pattern);
        }
        var result = new DlpConfig
        {
            ScanEnv = s.Bool("scan_env", d.ScanEnv),
            SecretsFile = s.String("secrets_file", d.SecretsFile),
            MinEnvSecretLength = s.Int("min_env_secret_length", d.MinEnvSecretLength, 1),
            IncludeDefaults = s.Bool("include_defaults", d.IncludeDefaults),
            Patterns = ValueList<DlpPatternConfig>.From(patterns),
        };
        if (!result.IncludeDefaults && patterns.Count == 0 && s.Present)
            s.Context.Warn("dlp.include_defaults is false and no dlp.patterns are configured: DLP will detect nothing");
        s.Done();
        return result;
    }

    public static CanaryConfig Canary(YamlSection s)
    {
        var tokens = new List<CanaryTokenConfig>();
        foreach (var t in s.Items("tokens"))
        {
            var name = t.Required("name");
            var value = t.String("value", "");
            var env = t.String("env_var", "");
            if (value.Length == 0 && env.Length == 0)
                s.Context.Error(t.Anchor, t.Join("value"), "a canary token needs a value or an env_var");
            t.Done();
            tokens.Add(new CanaryTokenConfig(name, value, env));
        }
        var result = new CanaryConfig { Enabled = s.Bool("enabled", false), Tokens = ValueList<CanaryTokenConfig>.From(tokens) };
        s.Done();
        return result;
    }

    public static SeedPhraseConfig SeedPhrase(YamlSection s)
    {
        var d = new SeedPhraseConfig();
        var result = new SeedPhraseConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            MinWords = s.Int("min_words", d.MinWords),
            VerifyChecksum = s.Bool("verify_checksum", d.VerifyChecksum),
        };
        if (result.MinWords is not (12 or 15 or 18 or 21 or 24))
        {
            s.Context.Error(s.Node("min_words"), s.Join("min_words"), $"{result.MinWords} is not valid; must be one of 12, 15, 18, 21, 24");
            result = result with { MinWords = d.MinWords };
        }
        s.Done();
        return result;
    }

    public static ResponseScanningConfig Response(YamlSection s)
    {
        var d = new ResponseScanningConfig();
        var patterns = new List<ResponsePatternConfig>();
        foreach (var p in s.Items("patterns"))
        {
            patterns.Add(new ResponsePatternConfig(p.Required("name"), p.Regex("regex", required: true) ?? ""));
            p.Done();
        }
        var sse = s.Section("sse_streaming");
        var sd = new SseStreamingConfig();
        var sseConfig = new SseStreamingConfig
        {
            Enabled = sse.Bool("enabled", sd.Enabled),
            Action = sse.Action("action", sd.Action, "block", "warn"),
            MaxEventBytes = sse.Int("max_event_bytes", sd.MaxEventBytes, 1),
        };
        sse.Done();
        var result = new ResponseScanningConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "block", "strip", "warn", "ask"),
            AskTimeoutSeconds = s.Int("ask_timeout_seconds", d.AskTimeoutSeconds, 1),
            IncludeDefaults = s.Bool("include_defaults", d.IncludeDefaults),
            Patterns = ValueList<ResponsePatternConfig>.From(patterns),
            ExemptDomains = s.StringList("exempt_domains", d.ExemptDomains),
            SseStreaming = sseConfig,
            Oversize = Oversize(s),
        };
        s.Done();
        return result;
    }

    public static RequestBodyScanningConfig RequestBody(YamlSection s)
    {
        var d = new RequestBodyScanningConfig();
        var result = new RequestBodyScanningConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block"),
            MaxBodyBytes = s.Long("max_body_bytes", d.MaxBodyBytes, 1),
            ScanHeaders = s.Bool("scan_headers", d.ScanHeaders),
            HeaderMode = s.Enum("header_mode", d.HeaderMode, "sensitive", "all"),
            SensitiveHeaders = s.StringList("sensitive_headers", d.SensitiveHeaders),
            IgnoreHeaders = s.StringList("ignore_headers", d.IgnoreHeaders),
            Oversize = Oversize(s),
        };
        s.Done();
        return result;
    }

    /// <summary><c>oversize: block | stream</c> (our extension); default block, Pipelock's fail-closed contract.</summary>
    private static OversizeMode Oversize(YamlSection s) =>
        s.Enum("oversize", "block", "block", "stream") == "stream" ? OversizeMode.Stream : OversizeMode.Block;
}
