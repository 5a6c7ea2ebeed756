using Pipelock.Agent.Config;

namespace Pipelock.Agent.Tests.Config.Binding;

public class YamlSectionTests
{
    [Fact]
    public void LoadText_AnchorsAndMergeKeys_AppliedLikeYamlV3()
    {
        var yaml = """
            x-common: &scan
              enabled: true
              action: block
            mcp_input_scanning:
              <<: *scan
              on_parse_error: forward
            mcp_tool_scanning:
              <<: *scan
              action: warn
            """;

        var result = ConfigLoader.LoadText(yaml);

        Assert.Empty(result.Errors);
        var c = result.Config!;
        Assert.Equal((true, Pipelock.Scanners.Verdicts.ScanAction.Block, "forward"), (c.McpInputScanning.Enabled, c.McpInputScanning.Action, c.McpInputScanning.OnParseError));
        Assert.Equal(Pipelock.Scanners.Verdicts.ScanAction.Warn, c.McpToolScanning.Action);
        Assert.Contains("x-common", Assert.Single(result.Warnings));
    }
}
