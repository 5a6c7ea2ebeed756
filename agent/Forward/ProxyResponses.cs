using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Forward;

/// <summary>The proxy's own answers (blocks, kill switch, errors): small JSON bodies that name the reason, never the secret.</summary>
public static class ProxyResponses
{
    public static async Task BlockedAsync(HttpContext ctx, int status, Verdict verdict, string requestId)
    {
        var first = verdict.Findings.IsEmpty ? null : verdict.Findings[0];
        ctx.Response.Headers["X-Pipelock-Blocked"] = "true";
        ctx.Response.Headers["X-Pipelock-Request-Id"] = requestId;
        await JsonAsync(ctx, status, new
        {
            error = "blocked by pipelock",
            scanner = first?.Scanner,
            reason = first?.Rule,
            request_id = requestId,
        }).ConfigureAwait(false);
    }

    public static Task KillSwitchAsync(HttpContext ctx, string message) =>
        JsonAsync(ctx, StatusCodes.Status503ServiceUnavailable, new { error = "kill switch active", message });

    public static Task ErrorAsync(HttpContext ctx, int status, string error) => JsonAsync(ctx, status, new { error });

    public static async Task JsonAsync(HttpContext ctx, int status, object body)
    {
        if (ctx.Response.HasStarted) { ctx.Abort(); return; }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions);
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
