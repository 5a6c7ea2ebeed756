using Pipelock.Agent.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Tests.Cli;

public class ReservedCommandsTests
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
    public void Run_SureComposeCommandLine_ParsesAndReportsNotImplemented(string verb, string[] argv)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), argv);

        Assert.Equal(verb, argv[0]);
        Assert.Equal(2, run.Exit);
        Assert.Equal($"pipelock {verb}: not implemented in this build", run.Err.Trim());
    }
}
