using System.Net;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// The URL scanner (Pipelock's Scanner.scan, catalogue §4.1). Layers in Pipelock's order; the first block wins:
/// 0 parser, 1 scheme, 2 crlf_injection, 3 path_traversal, 4 allowlist (strict), 5 blocklist, 6 core_ssrf (IP literal,
/// when the DNS SSRF layer is off), 7 core_dlp/dlp (before DNS: a secret must not leak through the lookup itself),
/// 8 entropy, 9 subdomain_entropy, 10 ssrf, 11 ratelimit, 12 length, 13 databudget, then a final context check.
/// Length runs late as in Pipelock (label order kept); huge inputs are still bounded by per-layer caps.
/// </summary>
public sealed partial class UrlScanner
{
    private readonly UrlScannerOptions _o;
    private readonly IDlpScanner _dlp;
    private readonly IHostResolver? _resolver;
    private readonly TimeProvider _time;
    private readonly DomainPatternSet _allow, _block, _trusted, _entropyExcluded;
    private readonly IPNetwork[] _internal, _core, _ipAllow;
    private readonly RequestRateLimiter _rate;
    private readonly DataBudget _budget;
    private readonly PublicSuffixList _psl;

    /// <exception cref="ArgumentException">Invalid options (all errors listed).</exception>
    public UrlScanner(UrlScannerOptions options, IDlpScanner dlp, IHostResolver? resolver = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dlp);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid URL scanner options: " + string.Join("; ", errors), nameof(options));
        _o = options;
        _dlp = dlp;
        _resolver = resolver;
        _time = timeProvider ?? TimeProvider.System;
        _allow = new DomainPatternSet(options.ApiAllowlist);
        _block = new DomainPatternSet(options.Blocklist);
        _trusted = new DomainPatternSet(options.TrustedDomains);
        _entropyExcluded = new DomainPatternSet(options.SubdomainEntropyExclusions);
        _core = CoreCidrs.Select(IPNetwork.Parse).ToArray();
        // Core ranges are always merged in when the SSRF layer is active (Pipelock).
        _internal = options.InternalCidrs.Select(IPNetwork.Parse).Concat(_core).Distinct().ToArray();
        _ipAllow = options.SsrfIpAllowlist.Select(IPNetwork.Parse).ToArray();
        _rate = new RequestRateLimiter(options.MaxRequestsPerMinute, options.MaxTrackedDomains, _time);
        _budget = new DataBudget(options.MaxDataPerMinute, options.MaxTrackedDomains, _time);
        _psl = PublicSuffixList.Default;
    }

    /// <summary>Pipelock's core SSRF ranges: the default <c>internal</c> list minus multicast.</summary>
    private static readonly string[] CoreCidrs =
    [
        "0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10",
    ];

    public UrlScannerOptions Options => _o;

    private bool SsrfActive => _o.SsrfEnabled && _o.InternalCidrs.Count > 0;

    /// <summary>
    /// Every layer that needs neither DNS nor per-domain state (for <c>pipelock check --url</c>, the CLI and pre-DNS use):
    /// the ssrf layer checks IP literals only; rate limit and data budget are skipped.
    /// </summary>
    public Verdict ScanStatic(string url)
    {
        var info = Verdict.Clean;
        var block = PreDns(url, out var u, ref info);
        if (block is not null) return block;
        if (SsrfActive && u.Ip is not null && Internal(u.Ip, _internal) is { } f) return With(info, f);
        if (LengthCheck(url) is { } lf) return With(info, lf);
        return info;
    }

    /// <summary>
    /// Full scan including DNS SSRF, rate limit and data budget. Fails closed on cancellation, DNS failure or a
    /// missing resolver. The result carries the validated addresses the proxy must dial (no re-resolution).
    /// </summary>
    public ValueTask<UrlScanResult> ScanAsync(string url, CancellationToken cancellationToken = default) => ScanAsync(url, null, cancellationToken);

    /// <summary>
    /// As <see cref="ScanAsync(string, CancellationToken)"/>, for a flow whose destination address the client already
    /// chose (transparent interception: the original destination of the intercepted connection). The SSRF layer
    /// checks <paramref name="dialled"/> instead of resolving the URL's host, so the proxy dials, and the scanner judges,
    /// the address the client picked; the host name still drives every other layer.
    /// </summary>
    public async ValueTask<UrlScanResult> ScanAsync(string url, IReadOnlyList<IPAddress>? dialled, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return new UrlScanResult(Verdict.Of(Cancelled()), "", 0, UrlScanResult.NoAddresses);
        var info = Verdict.Clean;
        var block = PreDns(url, out var u, ref info);
        if (block is not null) return new UrlScanResult(block, u.Host ?? "", u.Raw is null ? 0 : u.EffectivePort, UrlScanResult.NoAddresses);

        IReadOnlyList<IPAddress> addresses = UrlScanResult.NoAddresses;
        if (dialled is { Count: > 0 })
        {
            if (SsrfActive)
            {
                var (checkedList, failure) = CheckAddresses(u.Host, dialled);
                if (failure is not null) return Result(u, With(info, failure));
                addresses = checkedList;
            }
            else
            {
                // Core SSRF ranges cannot be disabled: they apply to the dialled address as to an IP literal.
                foreach (var ip in dialled)
                    if (Internal(IpLiteral.Normalize(ip), _core) is { } core) return Result(u, With(info, core with { Scanner = ScannerNames.CoreSsrf }));
                addresses = dialled;
            }
        }
        else if (u.Ip is not null)
        {
            if (SsrfActive && Internal(u.Ip, _internal) is { } f) return Result(u, With(info, f));
            addresses = [u.Ip];
        }
        else if (SsrfActive)
        {
            var (resolved, failure) = await ResolveAndCheckAsync(u.Host, cancellationToken).ConfigureAwait(false);
            if (failure is not null) return Result(u, With(info, failure));
            addresses = resolved;
        }

        var key = _psl.RegistrableDomain(u.Host);
        if (!_rate.TryAcquire(key))
            return Result(u, With(info, Block(ScannerNames.RateLimit, "rate limit exceeded", Severity.Medium,
                $"more than {_o.MaxRequestsPerMinute} requests/minute to {key}")));
        if (LengthCheck(url) is { } lf) return Result(u, With(info, lf));
        if (!_budget.HasBudget(key))
            return Result(u, With(info, Block(ScannerNames.DataBudget, "data budget exceeded", Severity.Medium,
                $"more than {_o.MaxDataPerMinute} bytes/minute from {key}")));
        if (cancellationToken.IsCancellationRequested) return Result(u, With(info, Cancelled()));
        return new UrlScanResult(info, u.Host, u.EffectivePort, addresses);
    }

    /// <summary>Adds response bytes to the host's registrable-domain budget (call after the response is read).</summary>
    public void RecordResponseBytes(string host, long bytes)
    {
        if (!_budget.Enabled || string.IsNullOrEmpty(host)) return;
        _budget.Record(RegistrableDomain(host), bytes);
    }

    /// <summary>The rate-limit / budget key for a host: eTLD+1, IP literals and single labels as-is.</summary>
    public string RegistrableDomain(string host)
    {
        var h = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (h.StartsWith('[') && h.EndsWith(']')) h = h[1..^1];
        if (IpLiteral.TryParse(h, out var ip)) return ip.ToString();
        return _psl.RegistrableDomain(h);
    }

    private static UrlScanResult Result(in ParsedUrl u, Verdict v) => new(v, u.Host, u.EffectivePort, UrlScanResult.NoAddresses);

    private static Finding Cancelled() => Block(ScannerNames.Context, "request cancelled", Severity.High, "context cancelled before the scan completed");

    private Finding? LengthCheck(string url)
    {
        if (_o.MaxUrlLength <= 0 || url.Length <= _o.MaxUrlLength / 3) return null; // 3 UTF-8 bytes per char at most
        int bytes = System.Text.Ascii.IsValid(url) ? url.Length : System.Text.Encoding.UTF8.GetByteCount(url);
        return bytes > _o.MaxUrlLength
            ? Block(ScannerNames.Length, "URL too long", Severity.Medium, $"{bytes} bytes > max_url_length {_o.MaxUrlLength}")
            : null;
    }

    internal static Finding Block(string scanner, string rule, Severity severity, string evidence) =>
        new(scanner, rule, severity, ScanAction.Block, evidence);

    /// <summary>A blocking finding plus whatever informational (warn-only) findings earlier layers produced.</summary>
    private static Verdict With(Verdict info, Finding block) => info.IsClean ? Verdict.Of(block) : Verdict.Combine(info, Verdict.Of(block));
}
