using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Config;

public class McpAutoEnableTests
{
    [Fact]
    public void Apply_AbsentSections_EnabledWithProtectiveDefaults()
    {
        var c = McpAutoEnable.Apply(ConfigLoader.LoadText("response_scanning:\n  enabled: false\n").Config!, forceResponseScanning: true);

        Assert.Equal((true, ScanAction.Block), (c.McpInputScanning.Enabled, c.McpInputScanning.Action));
        Assert.True(c.McpToolScanning.Enabled && c.McpToolScanning.DetectDrift);
        Assert.True(c.McpToolPolicy.UseBuiltInRules);
        Assert.True(c.ResponseScanning.Enabled);
    }

    [Fact]
    public void Apply_SectionsWrittenByUser_LeftAlone()
    {
        // Sure's current example: mcp_tool_policy {enabled: false, action: warn} is an explicit choice.
        var loaded = ConfigLoader.LoadFile(SharedData.Fixture("sure-pipelock.example.yaml")).Config!;

        var c = McpAutoEnable.Apply(loaded, forceResponseScanning: false);

        Assert.False(c.McpToolPolicy.Enabled);
        Assert.Equal(loaded, c);
    }

    [Fact]
    public void Apply_ResponseScanningDisabledWithoutForce_StaysDisabled()
    {
        var c = McpAutoEnable.Apply(ConfigLoader.LoadText("response_scanning:\n  enabled: false\n").Config!, forceResponseScanning: false);

        Assert.False(c.ResponseScanning.Enabled);
    }
}
