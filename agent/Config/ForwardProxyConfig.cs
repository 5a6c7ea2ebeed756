namespace Pipelock.Agent.Config;

/// <summary><c>forward_proxy</c>: CONNECT / absolute-URI proxying on the main listener.</summary>
public sealed record ForwardProxyConfig
{
    public bool Enabled { get; init; }
    public int MaxTunnelSeconds { get; init; } = 300;
    public int IdleTimeoutSeconds { get; init; } = 120;
    public bool SniVerification { get; init; } = true;
    public ValueList<string> RedirectWebsocketHosts { get; init; } = ValueList<string>.Empty;
}
