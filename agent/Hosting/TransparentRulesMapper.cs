using Pipelock.Agent.Config;
using Pipelock.Interceptor.Rules;

namespace Pipelock.Agent.Hosting;

/// <summary>The <c>transparent</c> config section as the interceptor's narrow rule options (the interceptor knows no config).</summary>
public static class TransparentRulesMapper
{
    /// <param name="config">The bound section (mode and fail_mode are already checked to be one of their words).</param>
    /// <param name="agentUid">
    /// The agent's uid when it runs as a dedicated user (<see cref="RulesPrivileges.NonRootUid"/> from <c>pipelock run</c>,
    /// <c>--agent-uid</c> from <c>pipelock rules install</c>); null for root. The SO_MARK exclusion applies either way.
    /// </param>
    public static TransparentRuleOptions ToRuleOptions(TransparentConfig config, int? agentUid = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new TransparentRuleOptions
        {
            Mode = config.Mode == "gateway" ? TransparentRuleMode.Gateway : TransparentRuleMode.Local,
            Ports = [.. config.Ports],
            Uids = [.. config.Uids],
            Gids = [.. config.Gids],
            Cgroups = [.. config.Cgroups],
            Interfaces = [.. config.Interfaces],
            ExcludeCidrs = [.. config.ExcludeCidrs],
            ListenPort = config.ListenPort,
            FailMode = config.FailMode == "open" ? TransparentFailMode.Open : TransparentFailMode.Closed,
            AgentUid = agentUid,
        };
    }
}
