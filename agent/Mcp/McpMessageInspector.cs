using System.Collections.Immutable;
using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Mcp;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Mcp.Session;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Mcp;

/// <summary>What to do with one server→client message.</summary>
public enum McpServerAction
{
    /// <summary>Send the upstream's bytes unchanged.</summary>
    Pass,
    /// <summary>Send <see cref="McpServerOutcome.Bytes"/> instead (strip rewrote the message, or a JSON-RPC error replaces it).</summary>
    Replace,
    /// <summary>Send nothing (a blocked server request or notification, or a response the exchange does not expect).</summary>
    Drop,
}

public readonly record struct McpServerOutcome(McpServerAction Action, byte[]? Bytes);

/// <summary>
/// The server→client steps per message (<see cref="Scanners.Engine.McpConversationScanner"/>'s response half, with
/// proxy state): response-id validation, injection scanning of results and errors (strip redacts), and for tools/list
/// poisoning over whole schemas, drift, and the session-binding baseline, which is recorded only from a list that is
/// not poisoned. A blocked response is replaced by a -32001 error for its id so the client is never left waiting.
/// </summary>
public sealed class McpMessageInspector
{
    private readonly McpAudit _audit;
    private readonly ProxyServices _s;

    public McpMessageInspector(ProxyServices services, McpAudit audit)
    {
        _s = services;
        _audit = audit;
    }

    /// <param name="x">The exchange the message arrived on.</param>
    /// <param name="utf8">One JSON-RPC message.</param>
    /// <param name="synthetic">True for a result pipelock made itself (a redirect handler's output): its id needs no validation.</param>
    /// <param name="status">Upstream HTTP status, for the log.</param>
    public McpServerOutcome Inspect(McpExchange x, ReadOnlyMemory<byte> utf8, bool synthetic, int? status)
    {
        var parsed = JsonRpcMessage.Parse(utf8);
        if (!parsed.Ok)
        {
            var invalid = McpInputScanner.InvalidMessage("upstream: " + parsed.Error!.Message);
            return Refuse(x, DecisionPolicy.Decide(invalid), status, "upstream sent an invalid JSON-RPC message", answerIfPending: true);
        }
        using var msg = parsed.Message!;
        var engine = x.Snapshot.Engine;
        string? method = null;
        if (msg.IsResponse)
        {
            if (!synthetic && (x.Answered || !RequestTracker.SameId(msg.IdRaw, x.IdRaw) || !x.Tracker.TryConsume(msg.IdRaw)))
            {
                // Confused-deputy protection: the server answered something the client did not ask on this exchange.
                var forged = Verdict.Of(new Finding(McpAudit.ResponseIdScanner, "Unsolicited Response", Severity.High, ScanAction.Block,
                    Redaction.Excerpt("response id " + (msg.IdRaw ?? "missing") + " was never sent by the client", 120)) { Location = "id" });
                return Refuse(x, DecisionPolicy.Decide(forged), status, "upstream response does not answer this request", answerIfPending: true);
            }
            method = x.Method;
        }

        bool toolsList = method == "tools/list" && msg.Kind == JsonRpcKind.Response;
        var scan = engine.McpResponse.ScanAndStrip(msg, method);
        var verdict = scan.Verdict;
        if (toolsList && msg.Result is { } result)
        {
            var poison = engine.ToolPoisoning.Scan(result);
            var ts = engine.Options.ToolScan;
            var drift = ts.Enabled && ts.DetectDrift ? x.Snapshot.Mcp.Drift.Observe(result, ts.Action) : Verdict.Clean;
            if (engine.Options.SessionBinding.Enabled && poison.IsClean)
            {
                var added = x.Snapshot.Mcp.Binding.RecordToolsList(x.SessionKey, result);
                if (added.Count > 0) verdict = Verdict.Combine(verdict, AddedTools(added));
            }
            verdict = Verdict.Combine(verdict, poison, drift);
        }

        var decision = DecisionPolicy.Decide(verdict, engine.Options.Enforce);
        if (decision.Blocked) return Refuse(x, decision, status, "upstream message blocked", answerIfPending: msg.IsResponse);
        if (msg.IsResponse) x.Answered = true;
        _audit.Passed(x, "response", decision, status);
        if (decision.Outcome == Outcome.Strip && scan.Rewritten is { } rewritten) return new(McpServerAction.Replace, rewritten);
        return new(McpServerAction.Pass, null);
    }

    /// <summary>
    /// Replaces a refused response (or unreadable message) by an error for the exchange's request while that is
    /// unanswered; drops a refused server request or notification, and anything after the answer.
    /// </summary>
    private McpServerOutcome Refuse(McpExchange x, Decision decision, int? status, string what, bool answerIfPending)
    {
        _audit.Blocked(x, "response", decision, status);
        if (!answerIfPending || x.Answered || x.IsNotification) return new(McpServerAction.Drop, null);
        x.Answered = true;
        x.Tracker.TryConsume(x.IdRaw);
        return new(McpServerAction.Replace, JsonRpcErrors.Build(x.IdRaw, JsonRpcErrors.ContentBlocked, McpReplies.BlockMessage(what, decision.Verdict), x.RequestId));
    }

    /// <summary>Tools a later list added after the session's inventory was pinned: reported, never trusted by default.</summary>
    private static Verdict AddedTools(IReadOnlyList<string> added) =>
        new([new Finding(ScannerNames.SessionBinding, "Tool Added Post-Baseline", Severity.Medium, ScanAction.Warn,
            Redaction.Excerpt(string.Join(", ", added.Take(10)), 200)) { Location = "result.tools", Informational = true }]);
}
