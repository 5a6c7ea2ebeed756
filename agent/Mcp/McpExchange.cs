using System.Net;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Mcp.Session;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// One POST on the MCP listener: the client's message and everything its answer is checked against. Each POST
/// carries exactly one request or notification, so the only response the upstream may send back on it (as the JSON
/// body or inside its event stream) is the one for <see cref="IdRaw"/>.
/// </summary>
public sealed class McpExchange
{
    public required RuntimeSnapshot Snapshot { get; init; }
    public required string RequestId { get; init; }
    public required string ClientIp { get; init; }
    public IPAddress? ClientAddress { get; init; }
    public required string SessionKey { get; init; }
    public required string UpstreamUrl { get; init; }

    /// <summary>The JSON-RPC method of the client's message, as <see cref="SafeMethod"/> lets it be logged.</summary>
    public required string Method { get; init; }

    /// <summary>The client's id as raw JSON; null for a notification.</summary>
    public string? IdRaw { get; init; }

    /// <summary>The session's ids in flight (response-id validation).</summary>
    public required RequestTracker Tracker { get; init; }

    /// <summary>True once the client has been given a response (the upstream's, or ours in its place) for <see cref="IdRaw"/>.</summary>
    public bool Answered { get; set; }

    public bool IsNotification => IdRaw is null;

    /// <summary>
    /// The method as it may appear in logs and decisions: MCP's own method names pass, anything else is "other".
    /// The method is client text like any other, so it can carry the very secret a block is about.
    /// </summary>
    public static string SafeMethod(string? method)
    {
        if (method is null) return "invalid";
        if (method is "initialize" or "ping") return method;
        int slash = method.IndexOf('/');
        if (slash <= 0 || method.Length > 64) return "other";
        if (method.AsSpan(0, slash) is not ("notifications" or "tools" or "resources" or "prompts" or "completion" or "logging" or "sampling" or "roots" or "elicitation"))
            return "other";
        // Letters, '/' and '_' only: a credential almost always has digits, and would not fit.
        foreach (var c in method.AsSpan(slash + 1))
            if (!char.IsAsciiLetter(c) && c is not ('/' or '_')) return "other";
        return method;
    }
}
