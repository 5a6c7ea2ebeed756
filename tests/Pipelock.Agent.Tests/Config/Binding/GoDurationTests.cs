using Pipelock.Agent.Config.Binding;

namespace Pipelock.Agent.Tests.Config.Binding;

public class GoDurationTests
{
    [Theory]
    [InlineData("24h", 24 * 3600.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1.5s", 1.5)]
    [InlineData("250ms", 0.25)]
    [InlineData("0", 0.0)]
    public void TryParse_ValidSyntax_Parses(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("24")]
    [InlineData("1d")]
    [InlineData("-5s")]
    [InlineData("h")]
    [InlineData("")]
    public void TryParse_InvalidSyntax_Rejected(string text) =>
        Assert.False(GoDuration.TryParse(text, out _));
}
