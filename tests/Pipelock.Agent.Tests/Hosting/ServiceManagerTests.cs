using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Tests.Hosting;

public class ServiceManagerWatchdogTests
{
    [Theory]
    [InlineData("30000000", null, 30_000_000L)]
    [InlineData("400000", "4242", 400_000L)]
    [InlineData("400000", "1", null)]   // meant for another process (WATCHDOG_PID)
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    public void WatchdogInterval_FollowsSystemdsVariables(string? usec, string? pid, long? expectedMicroseconds) =>
        Assert.Equal(expectedMicroseconds is { } us ? TimeSpan.FromMicroseconds(us) : null, ServiceManager.WatchdogInterval(usec, pid, 4242));
}
