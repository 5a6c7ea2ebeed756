namespace Pipelock.Agent.Config;

/// <summary>
/// One <c>mcp_tool_policy.redirect_profiles.&lt;name&gt;</c>: the handler program (argv) a matched call is routed to.
/// </summary>
public sealed record RedirectProfileConfig(ValueList<string> Exec, string Reason, bool PreserveArgv, bool MatchAbsPath);
