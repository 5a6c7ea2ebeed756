using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Forward;

/// <summary>
/// One agent for a whole test class, started with the class's <see cref="AgentSettings"/>. Where namespaced agents cannot
/// run (not root) nothing starts: the class's tests are <see cref="RootFactAttribute"/>s and are skipped anyway.
/// </summary>
public abstract class AgentFixture : IAsyncLifetime
{
    private ProxyAgent? _agent;

    protected virtual AgentSettings Settings => new();

    public ProxyAgent Agent => _agent ?? throw new InvalidOperationException(NamespaceSupport.WhyNot ?? "agent not started");

    public async Task InitializeAsync()
    {
        if (NamespaceSupport.WhyNot is not null) return;
        _agent = await ProxyAgent.StartAsync(Settings);
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
    }
}

/// <summary>Request DLP and response scanning both on <c>block</c>, the strictest settings.</summary>
public sealed class BlockingAgentFixture : AgentFixture;

/// <summary>response_scanning.action: strip.</summary>
public sealed class StripAgentFixture : AgentFixture
{
    protected override AgentSettings Settings => new() { ResponseAction = "strip" };
}

/// <summary>response_scanning.action: warn.</summary>
public sealed class WarnAgentFixture : AgentFixture
{
    protected override AgentSettings Settings => new() { ResponseAction = "warn" };
}
