using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>
/// The whole Pipelock configuration as far as this build implements it. Every default is Pipelock's
/// (catalogue §6); <c>new PipelockConfig()</c> is what an empty file loads to.
/// </summary>
public sealed record PipelockConfig
{
    public static readonly ValueList<string> DefaultApiAllowlist = ValueList<string>.Of(
        "*.anthropic.com", "*.openai.com", "api.telegram.org", "*.discord.com", "gateway.discord.gg",
        "*.slack.com", "github.com", "*.github.com", "*.githubusercontent.com", "registry.npmjs.org");

    /// <summary>Pipelock's default <c>internal</c> CIDRs (SSRF targets), catalogue §4.2.</summary>
    public static readonly ValueList<string> DefaultInternal = ValueList<string>.Of(
        "0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "100.64.0.0/10", "224.0.0.0/4", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8");

    /// <summary>What an empty file loads to. Declared after the lists it uses: static initialisers run in text order.</summary>
    public static readonly PipelockConfig Default = new();

    public int Version { get; init; } = 1;
    public ScanMode Mode { get; init; } = ScanMode.Balanced;
    /// <summary>False turns blocks into "detected (enforce off)" warnings (fail-closed conditions excepted).</summary>
    public bool Enforce { get; init; } = true;
    public bool ExplainBlocks { get; init; }
    public ValueList<string> ApiAllowlist { get; init; } = DefaultApiAllowlist;
    /// <summary>SSRF target CIDRs; empty disables the SSRF layer (and the SSRF simulation scenarios).</summary>
    public ValueList<string> Internal { get; init; } = DefaultInternal;
    public ValueList<string> TrustedDomains { get; init; } = ValueList<string>.Empty;
    public string MetricsListen { get; init; } = "";

    public SsrfConfig Ssrf { get; init; } = new();
    public FetchProxyConfig FetchProxy { get; init; } = new();
    public ForwardProxyConfig ForwardProxy { get; init; } = new();
    public DlpConfig Dlp { get; init; } = new();
    public CanaryConfig CanaryTokens { get; init; } = new();
    public SeedPhraseConfig SeedPhraseDetection { get; init; } = new();
    public ResponseScanningConfig ResponseScanning { get; init; } = new();
    public RequestBodyScanningConfig RequestBodyScanning { get; init; } = new();
    public McpInputScanningConfig McpInputScanning { get; init; } = new();
    public McpToolScanningConfig McpToolScanning { get; init; } = new();
    public McpToolPolicyConfig McpToolPolicy { get; init; } = new();
    public McpSessionBindingConfig McpSessionBinding { get; init; } = new();
    public ToolChainConfig ToolChainDetection { get; init; } = new();
    public CrossRequestConfig CrossRequestDetection { get; init; } = new();
    public KillSwitchConfig KillSwitch { get; init; } = new();
    public TlsInterceptionConfig TlsInterception { get; init; } = new();
    public LoggingConfig Logging { get; init; } = new();
    public ReverseProxyConfig ReverseProxy { get; init; } = new();
    public ScanApiConfig ScanApi { get; init; } = new();
    /// <summary>Appliance extension (not in Pipelock): transparent interception via redirect rules.</summary>
    public TransparentConfig Transparent { get; init; } = new();

    /// <summary>Known Pipelock sections present in the file that this build does not implement (accepted, warned about).</summary>
    public ValueList<string> UnimplementedSections { get; init; } = ValueList<string>.Empty;
}
