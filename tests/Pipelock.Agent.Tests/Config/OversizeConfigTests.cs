using Pipelock.Agent.Config;

namespace Pipelock.Agent.Tests.Config;

public sealed class OversizeConfigTests
{
    public static TheoryData<string, OversizeMode, OversizeMode> Valid => new()
    {
        { "", OversizeMode.Block, OversizeMode.Block },
        { "response_scanning:\n  oversize: stream\n", OversizeMode.Stream, OversizeMode.Block },
        { "request_body_scanning:\n  oversize: stream\n", OversizeMode.Block, OversizeMode.Stream },
        { "response_scanning:\n  oversize: block\nrequest_body_scanning:\n  oversize: block\n", OversizeMode.Block, OversizeMode.Block },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Oversize_Binds(string yaml, OversizeMode response, OversizeMode request)
    {
        var result = ConfigLoader.LoadText("version: 1\n" + yaml, "pipelock.yaml");
        Assert.Empty(result.Errors);
        Assert.Equal(response, result.Config!.ResponseScanning.Oversize);
        Assert.Equal(request, result.Config.RequestBodyScanning.Oversize);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "response_scanning:\n  oversize: sideways\n", "response_scanning.oversize: \"sideways\" is not valid; must be one of block, stream" },
        { "request_body_scanning:\n  oversize: Stream\n", "request_body_scanning.oversize: \"Stream\" is not valid; must be one of block, stream" },
        { "request_body_scanning:\n  oversize: [stream]\n", "request_body_scanning.oversize" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Oversize_RejectsOtherValues(string yaml, string message)
    {
        var result = ConfigLoader.LoadText("version: 1\n" + yaml, "pipelock.yaml");
        Assert.Contains(result.Errors, e => e.ToString().Contains(message, StringComparison.Ordinal));
    }
}
