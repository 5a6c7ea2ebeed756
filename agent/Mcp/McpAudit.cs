using Pipelock.Agent.Hosting;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// The MCP listener's bookkeeping for one decision: one decision-log event (redacted evidence only, the URL of a
/// content finding cut to scheme and host by <see cref="Operations.DecisionLog"/>), scanner hits, the reverse-proxy
/// block counter and /stats. Called before the answer is written, so a client that has its answer also sees it
/// counted.
/// </summary>
public sealed class McpAudit
{
    /// <summary>Scanner label of a response whose id the client never sent (confused-deputy protection).</summary>
    public const string ResponseIdScanner = "mcp_response_id";

    /// <summary>Reason label for kill-switch denials on the MCP listener.</summary>
    public const string KillSwitchReason = "kill_switch";

    private readonly ProxyServices _s;

    public McpAudit(ProxyServices services) => _s = services;

    /// <summary>A message refused (client→server "request" or server→client "response").</summary>
    public void Blocked(McpExchange x, string direction, Decision decision, int? status = null)
    {
        var reason = decision.Verdict.Findings.IsEmpty ? "unknown" : decision.Verdict.Findings[0].Scanner;
        Count(decision.Verdict);
        _s.Metrics.ReverseProxyBlocked.WithLabels(direction, reason).Inc();
        _s.Stats.McpMessage(blocked: true);
        _s.Log.Decision("blocked", x.Method, x.UpstreamUrl, x.ClientIp, x.RequestId, decision, direction, status);
    }

    /// <summary>A message let through (possibly with findings to log, or rewritten by strip).</summary>
    public void Passed(McpExchange x, string direction, Decision decision, int? status = null)
    {
        _s.Stats.McpMessage(blocked: false);
        if (decision.Verdict.IsClean) return;
        Count(decision.Verdict);
        _s.Log.Decision(EventName(decision), x.Method, x.UpstreamUrl, x.ClientIp, x.RequestId, decision, direction, status);
    }

    /// <summary>
    /// A tool call answered by a redirect handler: one <c>tool_redirect</c> event naming the profile and rules, with
    /// only a digest of the arguments (they are what a rule found dangerous).
    /// </summary>
    public void Redirected(McpExchange x, Decision decision, string? profile, string argumentsSha256)
    {
        _s.Stats.McpMessage(blocked: false);
        Count(decision.Verdict);
        _s.Log.Event("info", "tool_redirect", ("method", x.Method), ("url", x.UpstreamUrl), ("client_ip", x.ClientIp), ("request_id", x.RequestId),
            ("profile", profile), ("rules", string.Join(", ", decision.Verdict.Findings.Where(static f => f.Action == ScanAction.Redirect).Select(static f => f.Rule))),
            ("args_sha256", argumentsSha256));
    }

    /// <summary>A kill-switch denial of one client message.</summary>
    public void KillSwitch(McpExchange x, string transport)
    {
        _s.Metrics.KillSwitchDenials.WithLabels(transport, "mcp").Inc();
        _s.Metrics.ReverseProxyBlocked.WithLabels("request", KillSwitchReason).Inc();
        _s.Stats.McpMessage(blocked: true);
        _s.Log.Event("warn", "kill_switch_deny", ("transport", transport), ("method", x.Method), ("url", Operations.DecisionLog.CutUrl(x.UpstreamUrl)),
            ("client_ip", x.ClientIp), ("request_id", x.RequestId));
    }

    private void Count(Verdict verdict)
    {
        _s.Metrics.CountFindings(verdict);
    }

    /// <summary>Pipelock's event type for a non-blocking MCP decision, by the scanner of its first finding.</summary>
    private static string EventName(Decision d)
    {
        return d.Verdict.Findings[0].Scanner switch
        {
            ScannerNames.SessionBinding => "mcp_unknown_tool",
            ScannerNames.Chain => "chain_detection",
            ScannerNames.ToolPolicy => "tool_policy",
            ScannerNames.ToolPoisoning => "tool_poisoning",
            ScannerNames.ToolDrift => "tool_drift",
            ScannerNames.ResponseScan or ScannerNames.CoreResponse => "response_scan",
            _ => "mcp_scan",
        };
    }
}
