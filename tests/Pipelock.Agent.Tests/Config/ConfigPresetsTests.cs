using Pipelock.Agent.Config;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Config;

public class ConfigPresetsTests
{
    [Theory]
    [InlineData("strict")]
    [InlineData("balanced")]
    [InlineData("audit")]
    public void Render_Preset_LoadsBackToTheSameConfig(string preset)
    {
        var yaml = ConfigPresets.Render(preset);

        var result = ConfigLoader.LoadText(yaml, preset + ".yaml");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(ConfigPresets.Build(preset), result.Config);
    }

    [Fact]
    public void Build_Audit_DisablesEnforcementButKeepsDetection()
    {
        var c = ConfigPresets.Build("audit");

        Assert.False(c.Enforce);
        Assert.Equal(ScanMode.Audit, c.Mode);
        Assert.True(c.McpInputScanning.Enabled);
        Assert.True(c.ResponseScanning.Enabled);
    }

    [Fact]
    public void Build_Strict_TightensThresholdsAndBlocks()
    {
        var c = ConfigPresets.Build("strict");

        Assert.Equal(ScanMode.Strict, c.Mode);
        Assert.NotEmpty(c.ApiAllowlist);
        Assert.Equal(500, c.FetchProxy.Monitoring.MaxUrlLength);
        Assert.Equal(ScanAction.Block, c.ResponseScanning.Action);
        Assert.True(c.McpToolPolicy.UseBuiltInRules);
    }

    [Fact]
    public void Build_UnknownPreset_Throws() => Assert.Throws<ArgumentException>(() => ConfigPresets.Build("paranoid"));
}
