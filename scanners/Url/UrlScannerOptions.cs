using System.Net;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Narrow, immutable options for <see cref="UrlScanner"/>. Defaults are Pipelock's (config <c>Defaults()</c>:
/// top-level mode/api_allowlist/internal/trusted_domains/ssrf and <c>fetch_proxy.monitoring</c>).
/// </summary>
public sealed record UrlScannerOptions
{
    public static readonly UrlScannerOptions Default = new();

    /// <summary>Only <see cref="ScanMode.Strict"/> changes URL behaviour: <see cref="ApiAllowlist"/> is enforced.</summary>
    public ScanMode Mode { get; init; } = ScanMode.Balanced;

    public IReadOnlyList<string> ApiAllowlist { get; init; } =
    [
        "*.anthropic.com", "*.openai.com", "api.telegram.org", "*.discord.com", "gateway.discord.gg",
        "*.slack.com", "github.com", "*.github.com", "*.githubusercontent.com", "registry.npmjs.org",
    ];

    /// <summary>Paste and file-drop sites: the classic exfiltration sinks.</summary>
    public IReadOnlyList<string> Blocklist { get; init; } =
        ["*.pastebin.com", "*.hastebin.com", "*.paste.ee", "*.transfer.sh", "*.file.io", "*.requestbin.com"];

    /// <summary>Pipelock's <c>internal</c>: SSRF-protected ranges (empty list = DNS SSRF check off, core ranges still apply to literals).</summary>
    public IReadOnlyList<string> InternalCidrs { get; init; } =
    [
        "0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "100.64.0.0/10", "224.0.0.0/4", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    ];

    /// <summary>Hosts allowed to resolve to internal addresses (<c>*.x</c> also matches <c>x</c>). IP literals are never trusted.</summary>
    public IReadOnlyList<string> TrustedDomains { get; init; } = [];

    /// <summary><c>ssrf.ip_allowlist</c>: canonical CIDRs exempt from the internal-address check; 0.0.0.0/0 and ::/0 are rejected.</summary>
    public IReadOnlyList<string> SsrfIpAllowlist { get; init; } = [];

    /// <summary>DNS-based SSRF layer on/off (Pipelock: active when <c>internal</c> is non-empty).</summary>
    public bool SsrfEnabled { get; init; } = true;

    public int MaxUrlLength { get; init; } = 2048;
    public double EntropyThreshold { get; init; } = 4.5;
    public double SubdomainEntropyThreshold { get; init; } = 4.0;
    public IReadOnlyList<string> SubdomainEntropyExclusions { get; init; } = [];

    /// <summary>Requests per registrable domain per sliding minute; 0 = off.</summary>
    public int MaxRequestsPerMinute { get; init; } = 60;

    /// <summary>Response bytes per registrable domain per sliding minute; 0 = off.</summary>
    public long MaxDataPerMinute { get; init; }

    /// <summary>Timeout of one SSRF DNS lookup (Pipelock: 5 s).</summary>
    public TimeSpan DnsTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of per-domain rate/budget entries kept (least recently used are evicted).</summary>
    public int MaxTrackedDomains { get; init; } = 10_000;

    /// <summary>Every configuration error at once (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var c in InternalCidrs)
            if (!IPNetwork.TryParse(c, out _)) errors.Add($"internal: invalid CIDR \"{c}\"");
        foreach (var c in SsrfIpAllowlist)
        {
            if (!IPNetwork.TryParse(c, out var n) || !c.Contains('/') || !IPAddress.Parse(c.AsSpan(0, c.IndexOf('/'))).Equals(n.BaseAddress)) errors.Add($"ssrf.ip_allowlist: \"{c}\" is not a canonical CIDR");
            else if (n.PrefixLength == 0) errors.Add($"ssrf.ip_allowlist: \"{c}\" would disable SSRF protection entirely");
        }
        if (MaxUrlLength < 0) errors.Add("max_url_length must be >= 0");
        if (MaxRequestsPerMinute < 0) errors.Add("max_requests_per_minute must be >= 0");
        if (MaxDataPerMinute < 0) errors.Add("max_data_per_minute must be >= 0");
        if (EntropyThreshold < 0 || SubdomainEntropyThreshold < 0) errors.Add("entropy thresholds must be >= 0");
        if (MaxTrackedDomains < 1) errors.Add("max tracked domains must be >= 1");
        if (DnsTimeout <= TimeSpan.Zero) errors.Add("dns timeout must be positive");
        return errors;
    }
}
