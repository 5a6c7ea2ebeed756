namespace Pipelock.Agent.Config;

/// <summary><c>kill_switch</c>. <see cref="Enabled"/> is the config source of the switch: true denies everything from startup.</summary>
public sealed record KillSwitchConfig
{
    public bool Enabled { get; init; }
    public string SentinelFile { get; init; } = "";
    public string Message { get; init; } = "Emergency deny-all active";
    public bool HealthExempt { get; init; } = true;
    public bool MetricsExempt { get; init; } = true;
    public bool ApiExempt { get; init; } = true;
    public string ApiToken { get; init; } = "";
    public string ApiListen { get; init; } = "";
    public ValueList<string> AllowlistIps { get; init; } = ValueList<string>.Empty;
}
