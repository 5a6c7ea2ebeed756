using Microsoft.AspNetCore.Http;
using Pipelock.Scanners.Mcp.JsonRpc;

namespace Pipelock.Agent.Mcp;

/// <summary>The MCP listener's own answers: JSON-RPC error bodies (never the offending content) and empty acknowledgements.</summary>
public static class McpReplies
{
    /// <summary>Code for an upstream failure (JSON-RPC "internal error"): the upstream's body is never passed on.</summary>
    public const int UpstreamError = -32603;

    /// <summary>Writes a JSON-RPC error; <paramref name="requestId"/> goes into <c>error.data</c> so a user can quote it to an operator.</summary>
    public static Task ErrorAsync(HttpContext ctx, int status, string? idRaw, int code, string message, string? requestId, bool blocked = false)
    {
        if (blocked && !ctx.Response.HasStarted)
        {
            ctx.Response.Headers["X-Pipelock-Blocked"] = "true";
            if (requestId is not null) ctx.Response.Headers["X-Pipelock-Request-Id"] = requestId;
        }
        return JsonAsync(ctx, status, JsonRpcErrors.Build(idRaw, code, message, requestId));
    }

    public static async Task JsonAsync(HttpContext ctx, int status, ReadOnlyMemory<byte> body)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return;
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A dropped or accepted notification: 202 with no body (what Streamable HTTP prescribes for notifications).</summary>
    public static Task AcceptedAsync(HttpContext ctx)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return Task.CompletedTask;
        }
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        ctx.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>The message text of a block: scanner and rule name, never the evidence.</summary>
    public static string BlockMessage(string what, Scanners.Verdicts.Verdict verdict)
    {
        if (verdict.Findings.IsEmpty) return "blocked by pipelock: " + what;
        var f = verdict.Findings[0];
        return $"blocked by pipelock: {what} ({f.Scanner}: {f.Rule})";
    }
}
