using Prometheus;

namespace Pipelock.Agent.Operations;

/// <summary>
/// The Prometheus metrics of one host, under Pipelock's names (catalogue §5.3) for what this build has. Own
/// registry (no process-wide default), so tests and reloads never share counters by accident.
/// </summary>
public sealed class ProxyMetrics
{
    public ProxyMetrics(string version)
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        Requests = f.CreateCounter("pipelock_requests_total", "Proxied requests by result.", "result", "agent");
        RequestDuration = f.CreateHistogram("pipelock_request_duration_seconds", "Proxied request duration.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        ScannerHits = f.CreateCounter("pipelock_scanner_hits_total", "Findings by scanner.", "scanner", "agent");
        Tunnels = f.CreateCounter("pipelock_tunnels_total", "CONNECT tunnels by result.", "result", "agent");
        TunnelDuration = f.CreateHistogram("pipelock_tunnel_duration_seconds", "CONNECT tunnel lifetime.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 4, 10) });
        TunnelBytes = f.CreateCounter("pipelock_tunnel_bytes_total", "Bytes relayed through CONNECT tunnels.");
        ActiveTunnels = f.CreateGauge("pipelock_active_tunnels", "Open CONNECT tunnels.");
        TlsIntercept = f.CreateCounter("pipelock_tls_intercept_total", "TLS interception outcomes.", "outcome");
        TlsRequestBlocked = f.CreateCounter("pipelock_tls_request_blocked_total", "Intercepted requests blocked.", "reason");
        TlsResponseBlocked = f.CreateCounter("pipelock_tls_response_blocked_total", "Intercepted responses blocked.", "reason");
        CertCacheSize = f.CreateGauge("pipelock_tls_cert_cache_size", "Leaf certificates cached.");
        BodyDlpHits = f.CreateCounter("pipelock_body_dlp_hits_total", "Request-body DLP findings.", "action", "agent");
        HeaderDlpHits = f.CreateCounter("pipelock_header_dlp_hits_total", "Request-header DLP findings.", "action", "agent");
        KillSwitchActive = f.CreateGauge("pipelock_kill_switch_active", "Kill switch state per source.", "source");
        KillSwitchDenials = f.CreateCounter("pipelock_kill_switch_denials_total", "Requests denied by the kill switch.", "transport", "endpoint");
        ChainDetections = f.CreateCounter("pipelock_chain_detections_total", "Tool-call chain matches.", "pattern", "severity", "action");
        ReverseProxyRequests = f.CreateCounter("pipelock_reverse_proxy_requests_total", "MCP listener requests.", "method", "status");
        ReverseProxyBlocked = f.CreateCounter("pipelock_reverse_proxy_scan_blocked_total", "MCP messages blocked.", "direction", "reason");
        f.CreateGauge("pipelock_info", "Build information.", "version").WithLabels(version).Set(1);
        foreach (var s in new[] { "config", "api", "signal", "sentinel" }) KillSwitchActive.WithLabels(s).Set(0);
    }

    public CollectorRegistry Registry { get; }
    public Counter Requests { get; }
    public Histogram RequestDuration { get; }
    public Counter ScannerHits { get; }
    public Counter Tunnels { get; }
    public Histogram TunnelDuration { get; }
    public Counter TunnelBytes { get; }
    public Gauge ActiveTunnels { get; }
    public Counter TlsIntercept { get; }
    public Counter TlsRequestBlocked { get; }
    public Counter TlsResponseBlocked { get; }
    public Gauge CertCacheSize { get; }
    public Counter BodyDlpHits { get; }
    public Counter HeaderDlpHits { get; }
    public Gauge KillSwitchActive { get; }
    public Counter KillSwitchDenials { get; }
    public Counter ChainDetections { get; }
    public Counter ReverseProxyRequests { get; }
    public Counter ReverseProxyBlocked { get; }

    /// <summary>One <c>pipelock_scanner_hits_total</c> per finding.</summary>
    public void CountFindings(Pipelock.Scanners.Verdicts.Verdict verdict)
    {
        foreach (var f in verdict.Findings) ScannerHits.WithLabels(f.Scanner, "").Inc();
    }

    public async Task WriteAsync(Stream destination, CancellationToken ct) =>
        await Registry.CollectAndExportAsTextAsync(destination, ct).ConfigureAwait(false);
}
