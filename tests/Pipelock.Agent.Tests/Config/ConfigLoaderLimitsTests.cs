using Pipelock.Agent.Config;

namespace Pipelock.Agent.Tests.Config;

public class ConfigLoaderLimitsTests
{
    [Fact]
    public void LoadText_DeepNesting_RejectedBeforeModelLoad()
    {
        var yaml = "dlp: " + new string('[', 200) + new string(']', 200) + "\n";

        var error = Assert.Single(ConfigLoader.LoadText(yaml).Errors);

        Assert.Contains("nesting deeper than 64 levels", error.Message);
    }

    [Fact]
    public void LoadText_ThousandsOfErrors_CappedWithNote()
    {
        var yaml = "api_allowlist:\n" + string.Concat(Enumerable.Repeat("  - [x]\n", 500));

        var errors = ConfigLoader.LoadText(yaml).Errors;

        Assert.Equal(101, errors.Count);
        Assert.Equal("too many errors; the rest are not shown", errors[^1].Message);
    }
}
