namespace Pipelock.Agent.Config;

/// <summary><c>ssrf</c>: IPs exempt from the internal-IP check. Canonical CIDRs only; 0.0.0.0/0 and ::/0 are rejected.</summary>
public sealed record SsrfConfig
{
    public ValueList<string> IpAllowlist { get; init; } = ValueList<string>.Empty;
}
