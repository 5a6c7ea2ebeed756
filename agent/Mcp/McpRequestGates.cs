using System.Text.Json;
using Pipelock.Agent.Operations;
using Pipelock.Scanners.Mcp.JsonRpc;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Mcp;

/// <summary>What the client→server gates decided for one message.</summary>
/// <param name="Decision">Allow/Warn (forward), Redirect (run the profile) or Block; its verdict has the deciding gate's findings first.</param>
/// <param name="ErrorCode">The JSON-RPC code of a block (catalogue §3.1).</param>
/// <param name="Gate">Which gate decided a block or redirect ("content", "policy", "binding", "chain").</param>
/// <param name="Policy">The policy verdict when it asked for a redirect.</param>
public sealed record McpGateResult(Decision Decision, int ErrorCode, string Gate, PolicyVerdict? Policy);

/// <summary>
/// The client→server gates, in Pipelock's order (content scan → tool policy → session binding → chain detection);
/// the first gate that blocks ends the run, so a blocked call is not recorded in the chain history. Findings of
/// earlier gates that only warned travel with the decision so one log event tells the whole story.
/// </summary>
public static class McpRequestGates
{
    public static McpGateResult Run(McpExchange x, JsonRpcMessage msg, string upstreamHost, ProxyMetrics metrics)
    {
        var engine = x.Snapshot.Engine;
        bool enforce = engine.Options.Enforce;

        var input = engine.McpInput.Scan(msg, upstreamHost);
        var d = DecisionPolicy.Decide(input, enforce);
        if (d.Blocked) return new(d, JsonRpcErrors.ContentBlocked, "content", null);
        var seen = input;
        if (msg.Method != "tools/call") return new(DecisionPolicy.Decide(seen, enforce), 0, "", null);

        var p = msg.Params is { ValueKind: JsonValueKind.Object } o ? o : default;
        string name = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
        var args = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("arguments", out var a) ? a : default;

        var policy = engine.ToolPolicy.Evaluate(name, args);
        var pv = policy.ToVerdict();
        d = DecisionPolicy.Decide(pv, enforce);
        if (d.Blocked) return Stop(pv, seen, enforce, JsonRpcErrors.PolicyBlocked, "policy", null);
        if (d.Outcome == Outcome.Redirect) return Stop(pv, seen, enforce, JsonRpcErrors.PolicyBlocked, "policy", policy);
        seen = Verdict.Combine(seen, pv);

        var state = x.Snapshot.Mcp;
        if (engine.Options.SessionBinding.Enabled)
        {
            var bv = state.Binding.CheckCall(x.SessionKey, msg.Params);
            if (DecisionPolicy.Decide(bv, enforce).Blocked) return Stop(bv, seen, enforce, JsonRpcErrors.ContentBlocked, "binding", null);
            seen = Verdict.Combine(seen, bv);
        }

        if (engine.Options.Chains.Enabled)
        {
            var cv = state.Chains.Record(x.SessionKey, name, args.ValueKind == JsonValueKind.Undefined ? null : args);
            foreach (var f in cv.Findings)
                metrics.ChainDetections.WithLabels(f.Rule, f.Severity.ToString().ToLowerInvariant(), f.Action.ToWord()).Inc();
            if (DecisionPolicy.Decide(cv, enforce).Blocked) return Stop(cv, seen, enforce, JsonRpcErrors.ChainBlocked, "chain", null);
            seen = Verdict.Combine(seen, cv);
        }
        return new(DecisionPolicy.Decide(seen, enforce), 0, "", null);
    }

    private static McpGateResult Stop(Verdict deciding, Verdict earlier, bool enforce, int code, string gate, PolicyVerdict? redirect) =>
        new(DecisionPolicy.Decide(Verdict.Combine(deciding, earlier), enforce), code, gate, redirect);
}
