using Pipelock.Agent.Config;

namespace Pipelock.Agent.Tests.Config;

public class PipelockConfigTests
{
    [Fact]
    public void Default_StaticInstance_EqualsFreshInstanceWithPipelockLists()
    {
        Assert.Equal(new PipelockConfig(), PipelockConfig.Default);
        Assert.Equal(10, PipelockConfig.Default.ApiAllowlist.Count);
        Assert.Equal(12, PipelockConfig.Default.Internal.Count);
        Assert.Equal(6, PipelockConfig.Default.FetchProxy.Monitoring.Blocklist.Count);
    }
}
