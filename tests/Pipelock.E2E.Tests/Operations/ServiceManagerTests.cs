using System.Net.Sockets;
using System.Text;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Operations;

/// <summary>
/// The sd_notify protocol as systemd runs it for <c>Type=notify</c> and <c>WatchdogSec</c>: the test binds the
/// notification socket itself (NOTIFY_SOCKET) and checks that READY=1 comes once the agent serves, WATCHDOG=1
/// keeps coming at half the interval, and STOPPING=1 comes on SIGTERM.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class ServiceManagerTests
{
    [Fact]
    public async Task NotifySocket_GetsReady_ThenWatchdogPings_ThenStopping()
    {
        var dir = Directory.CreateTempSubdirectory("pipelock-notify-").FullName;
        try
        {
            var path = Path.Combine(dir, "notify.sock");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            int port = FreePort.Get();
            var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "400000" };

            await using var agent = await AgentProcess.StartAsync(["run", "--listen", $"127.0.0.1:{port}"], env,
                healthUrl: new Uri($"http://127.0.0.1:{port}/health"));
            var first = await ReceiveAsync(socket, TimeSpan.FromSeconds(20));
            var pings = 0;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (pings < 3 && DateTime.UtcNow < deadline)
                if ((await ReceiveAsync(socket, TimeSpan.FromSeconds(3))).Contains("WATCHDOG=1", StringComparison.Ordinal)) pings++;
            agent.Signal(15);
            string last = "";
            for (int i = 0; i < 20 && !last.Contains("STOPPING=1", StringComparison.Ordinal); i++) last = await ReceiveAsync(socket, TimeSpan.FromSeconds(10));

            Assert.StartsWith("READY=1", first, StringComparison.Ordinal);
            Assert.Contains("STATUS=listening on", first, StringComparison.Ordinal);
            Assert.Equal(3, pings);
            Assert.Contains("STOPPING=1", last, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutNotifySocket_NothingChanges()
    {
        int port = FreePort.Get();
        await using var agent = await AgentProcess.StartAsync(["run", "--listen", $"127.0.0.1:{port}"], new Dictionary<string, string> { ["WATCHDOG_USEC"] = "400000" },
            healthUrl: new Uri($"http://127.0.0.1:{port}/health"));

        agent.Signal(15);

        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
