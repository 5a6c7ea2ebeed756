namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>What a valid JSON-RPC 2.0 message is.</summary>
public enum JsonRpcKind
{
    /// <summary>Has <c>method</c> and <c>id</c>: the peer expects a response.</summary>
    Request = 1,
    /// <summary>Has <c>method</c>, no <c>id</c>: fire and forget (a blocked one is dropped silently).</summary>
    Notification = 2,
    /// <summary>Has <c>result</c> and <c>id</c>.</summary>
    Response = 3,
    /// <summary>Has <c>error</c> and <c>id</c>.</summary>
    Error = 4,
}
