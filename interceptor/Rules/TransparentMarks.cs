namespace Pipelock.Interceptor.Rules;

/// <summary>
/// The packet marks and routing table the transparent rules agree on with the agent. Two distinct marks so the
/// agent's own upstream packets can never hit the TPROXY policy route.
/// </summary>
public static class TransparentMarks
{
    /// <summary>
    /// SO_MARK the agent sets on every upstream socket (<c>SetRawSocketOption(SolSocket, SoMark, ...)</c>). Every
    /// capture chain returns early on it, so the agent's own connections are never recaptured: no loop by construction.
    /// </summary>
    public const uint Upstream = 0x5049;

    /// <summary>fwmark that gateway TPROXY puts on captured packets; <c>ip rule fwmark Tproxy lookup RouteTable</c> delivers them locally.</summary>
    public const uint Tproxy = 0x504a;

    /// <summary>Policy routing table holding <c>local default dev lo</c> for TPROXY'd packets (v4 and v6).</summary>
    public const int RouteTable = 5049;

    /// <summary>setsockopt level for SO_MARK.</summary>
    public const int SolSocket = 1;

    /// <summary>SO_MARK option name (needs CAP_NET_ADMIN).</summary>
    public const int SoMark = 36;
}
