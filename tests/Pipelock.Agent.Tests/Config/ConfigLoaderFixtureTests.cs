using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Config;

public class ConfigLoaderFixtureTests
{
    [Theory]
    [InlineData("sure-pipelock.example.yaml")]
    [InlineData("sure-pipelock.example.v2.0.yaml")]
    public void LoadFile_SureExample_LoadsWithoutErrors(string fixture)
    {
        var result = ConfigLoader.LoadFile(SharedData.Fixture(fixture));

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
        var c = result.Config!;
        Assert.Equal(ScanMode.Balanced, c.Mode);
        Assert.True(c.ForwardProxy.Enabled);
        Assert.Equal(60, c.ForwardProxy.IdleTimeoutSeconds);
        Assert.Equal(ScanAction.Block, c.McpInputScanning.Action);
        Assert.True(c.McpToolScanning.DetectDrift);
        Assert.True(c.McpSessionBinding.Enabled);
        Assert.Equal(20, c.ToolChainDetection.WindowSize);
        Assert.Contains("websocket_proxy", c.UnimplementedSections);
    }

    [Fact]
    public void LoadFile_CurrentSureExample_OneWarningNamesEveryUnimplementedSection()
    {
        var result = ConfigLoader.LoadFile(SharedData.Fixture("sure-pipelock.example.yaml"));

        var warning = Assert.Single(result.Warnings);
        Assert.Contains("websocket_proxy", warning);
        Assert.Contains("health_watchdog", warning);
        Assert.Contains("flight_recorder", warning);
        Assert.True(result.Config!.RequestBodyScanning.Enabled);
        Assert.Equal(5242880, result.Config.RequestBodyScanning.MaxBodyBytes);
        Assert.False(result.Config.McpToolPolicy.Enabled);
    }

    [Fact]
    public void LoadFile_V20Example_PolicyEnabledWithoutRulesUsesBuiltIns()
    {
        var c = ConfigLoader.LoadFile(SharedData.Fixture("sure-pipelock.example.v2.0.yaml")).Config!;

        Assert.True(c.McpToolPolicy.Enabled);
        Assert.Empty(c.McpToolPolicy.Rules);
        Assert.True(c.McpToolPolicy.UseBuiltInRules);
    }
}
