using System.Net;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Tests.Hosting;

public class RunOptionsTests
{
    [Theory]
    [InlineData("0.0.0.0:8888", "0.0.0.0", 8888)]
    [InlineData(":8889", "0.0.0.0", 8889)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("localhost:9090", "127.0.0.1", 9090)]
    [InlineData("[::1]:8888", "::1", 8888)]
    public void ValidAddresses_Parse(string text, string ip, int port)
    {
        var ep = RunOptions.ParseEndPoint(text, out var error);

        Assert.Null(error);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), ep);
    }

    [Theory]
    [InlineData("8888")]
    [InlineData("web:8888")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("127.0.0.1:")]
    public void InvalidAddresses_Rejected(string text)
    {
        Assert.Null(RunOptions.ParseEndPoint(text, out var error));
        Assert.NotNull(error);
    }
}
