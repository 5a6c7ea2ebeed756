using Pipelock.Agent.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Tests.Cli;

public class RunCommandLineTests
{
    /// <summary>The pipelock service's command and healthcheck argv from Sure's compose file (read from shared/).</summary>
    public static TheoryData<string, string[]> ComposeCommandLines()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(SharedData.Fixture("sure-compose.example.ai.yml"))));
        var service = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["pipelock"];
        string[] Argv(YamlNode n) => ((YamlSequenceNode)n).Children.Select(c => ((YamlScalarNode)c).Value!).ToArray();
        var health = Argv(((YamlMappingNode)service["healthcheck"])["test"]);
        return new()
        {
            { "run", Argv(service["command"]) },
            { "healthcheck", health[(Array.IndexOf(health, "/pipelock") + 1)..] },
        };
    }

    [Theory]
    [MemberData(nameof(ComposeCommandLines))]
    public void SureComposeCommandLines_Parse(string verb, string[] argv)
    {
        Assert.Equal(verb, argv[0]);
        // Both verbs run for real: `run` stops at the missing /etc/pipelock file (exit 2, naming it); `healthcheck`
        // probes 127.0.0.1:8888, which answers or not depending on the machine, so only its parse is checked here
        // (the end-to-end tests run it against a live agent and a closed port).
        if (verb == "run")
        {
            var run = CliRun.Of(new FakeCarrierScanner(), argv);
            Assert.Equal(2, run.Exit);
            Assert.Contains("/etc/pipelock/pipelock.yaml", run.Err);
            Assert.DoesNotContain("Unrecognized", run.Err);
        }
        else
        {
            var root = new System.CommandLine.RootCommand { HealthcheckCommandFactory() };
            Assert.Empty(root.Parse(argv).Errors);
        }
    }

    private static System.CommandLine.Command HealthcheckCommandFactory() =>
        Pipelock.Agent.Cli.HealthcheckCommand.Create(new Pipelock.Agent.Cli.CliEnvironment(TextWriter.Null, TextWriter.Null, _ => new FakeCarrierScanner()));

    [Fact]
    public void Healthcheck_ClosedPort_ExitsOne()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var run = CliRun.Of(new FakeCarrierScanner(), "healthcheck", "--addr", $"127.0.0.1:{port}");

        Assert.Equal(1, run.Exit);
        Assert.Contains("unhealthy", run.Out);
    }

    [Theory]
    [InlineData("run", "--listen", "not-an-address")]
    [InlineData("run", "--listen", "example.com:8888")]
    [InlineData("run", "--mcp-listen", "127.0.0.1:8889")]
    [InlineData("run", "--mcp-upstream", "ftp://web/mcp")]
    [InlineData("healthcheck", "--addr", "nonsense")]
    public void BadArguments_ExitTwoWithReason(params string[] args)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), args);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: ", run.Err);
    }
}
