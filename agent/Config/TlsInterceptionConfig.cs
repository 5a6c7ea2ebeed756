namespace Pipelock.Agent.Config;

/// <summary>
/// <c>tls_interception</c>. Pipelock's keys plus <see cref="UpstreamCaFile"/> (extra roots trusted for upstream
/// connections). Durations use Go syntax ("24h", "90m").
/// </summary>
public sealed record TlsInterceptionConfig
{
    public bool Enabled { get; init; }
    public string CaCert { get; init; } = "~/.pipelock/ca.pem";
    public string CaKey { get; init; } = "~/.pipelock/ca-key.pem";
    public string UpstreamCaFile { get; init; } = "";
    public ValueList<string> PassthroughDomains { get; init; } = ValueList<string>.Empty;
    public TimeSpan CertTtl { get; init; } = TimeSpan.FromHours(24);
    public int CertCacheSize { get; init; } = 10000;
    public long MaxResponseBytes { get; init; } = 5 * 1024 * 1024;
}
