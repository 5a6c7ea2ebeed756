using Pipelock.Agent.Cli;
using Pipelock.Agent.Config;
using Pipelock.Agent.Tests.Support;

namespace Pipelock.Agent.Tests.Cli;

public class PipelockCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("check", "--help")]
    [InlineData("generate", "--help")]
    [InlineData("generate", "config", "--help")]
    [InlineData("simulate", "--help")]
    [InlineData("version", "--help")]
    [InlineData("run", "--help")]
    [InlineData("healthcheck", "--help")]
    public void Help_EveryVerb_PrintsUsageExitZero(params string[] args)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), args);

        Assert.Equal(0, run.Exit);
        Assert.Contains("Usage:", run.Out);
    }

    [Theory]
    [InlineData("strict")]
    [InlineData("balanced")]
    [InlineData("audit")]
    public void GenerateConfig_Preset_OutputLoadsBackToPreset(string preset)
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "generate", "config", "--preset", preset);

        Assert.Equal(0, run.Exit);
        var loaded = ConfigLoader.LoadText(run.Out);
        Assert.Empty(loaded.Errors);
        Assert.Equal(ConfigPresets.Build(preset), loaded.Config);
    }

    [Fact]
    public void GenerateConfig_OutputFile_PassesCheck()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipelock-test-{Guid.NewGuid():N}.yaml");

        Assert.Equal(0, CliRun.Of(new FakeCarrierScanner(), "generate", "config", "--preset", "strict", "-o", path).Exit);
        var check = CliRun.Of(new FakeCarrierScanner(), "check", "--config", path);

        Assert.Equal(0, check.Exit);
        Assert.Contains("valid (mode strict, enforce on)", check.Out);
    }

    [Fact]
    public void GenerateConfig_UnknownPreset_ExitTwo() =>
        Assert.Equal(2, CliRun.Of(new FakeCarrierScanner(), "generate", "config", "--preset", "paranoid").Exit);

    [Fact]
    public void Version_PrintsVersionExitZero()
    {
        var run = CliRun.Of(new FakeCarrierScanner(), "version");

        Assert.Equal(0, run.Exit);
        Assert.StartsWith("pipelock ", run.Out);
    }

    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    public void NoOrUnknownVerb_ExitTwo(params string[] args) =>
        Assert.Equal(2, CliRun.Of(new FakeCarrierScanner(), args).Exit);

    [Fact]
    public void UnexpectedException_MessageWithoutStackTraceExitTwo()
    {
        var scanner = new FakeCarrierScanner((_, _, _) => throw new InvalidOperationException("scanner exploded"));

        var run = CliRun.Of(scanner, "check", "--text", "x");

        Assert.Equal(2, run.Exit);
        Assert.Contains("scanner exploded", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact]
    public void Run_ScannerOverload_UsesGivenScanner()
    {
        var scanner = new FakeCarrierScanner();
        var o = new StringWriter();

        int exit = PipelockCli.Run(["check", "--text", "SECRET"], o, new StringWriter(), scanner);

        Assert.Equal(1, exit);
        Assert.Single(scanner.Calls);
    }
}
