using System.Buffers;
using System.Text;
using Pipelock.Agent.Forward;

namespace Pipelock.Agent.Tests.Forward;

public class ConnectRequestHeadTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.Latin1.GetBytes(s));

    [Theory]
    [InlineData("CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n", "api.example.test", 443, "api.example.test:443")]
    [InlineData("CONNECT API.Example.TEST.:8443 HTTP/1.0\r\n\r\n", "api.example.test", 8443, "API.Example.TEST.:8443")]
    [InlineData("CONNECT 127.0.0.1:18443 HTTP/1.1\r\nUser-Agent: curl/8\r\n\r\n", "127.0.0.1", 18443, "127.0.0.1:18443")]
    [InlineData("CONNECT [::1]:443 HTTP/1.1\r\n\r\n", "::1", 443, "[::1]:443")]
    public void ValidHeads_Parse(string head, string host, int port, string authority)
    {
        var buffer = Bytes(head);
        var end = ConnectRequestHead.FindEnd(buffer);
        Assert.NotNull(end);

        var parsed = ConnectRequestHead.Parse(buffer.Slice(0, end.Value), out var error);

        Assert.Null(error);
        Assert.Equal(host, parsed!.Host);
        Assert.Equal(port, parsed.Port);
        Assert.Equal(authority, parsed.Authority);
    }

    [Theory]
    [InlineData("CONNECT api.example.test HTTP/1.1\r\n\r\n", "host:port")]
    [InlineData("CONNECT api.example.test:0 HTTP/1.1\r\n\r\n", "1-65535")]
    [InlineData("CONNECT api.example.test:70000 HTTP/1.1\r\n\r\n", "1-65535")]
    [InlineData("CONNECT api.example.test:+443 HTTP/1.1\r\n\r\n", "1-65535")]
    [InlineData("CONNECT user@evil.test:443 HTTP/1.1\r\n\r\n", "not a host name")]
    [InlineData("CONNECT /path:443 HTTP/1.1\r\n\r\n", "not a host name")]
    [InlineData("CONNECT a.test:443 SPDY/3\r\n\r\n", "request line")]
    [InlineData("CONNECT  a.test:443 HTTP/1.1\r\n\r\n", "request line")]
    [InlineData("CONNECT [::1]443 HTTP/1.1\r\n\r\n", "host:port")]
    public void InvalidHeads_ErrorSaysWhy(string head, string reason)
    {
        var parsed = ConnectRequestHead.Parse(Bytes(head), out var error);

        Assert.Null(parsed);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("CONNECT x", true)]
    [InlineData("CONN", null)]
    [InlineData("GET http://x/ HTTP/1.1", false)]
    [InlineData("connect x:1 HTTP/1.1", false)]
    [InlineData("\x16\x03\x01", false)]
    public void IsConnect_DecidesFromTheFirstBytes(string start, bool? expected) =>
        Assert.Equal(expected, ConnectRequestHead.IsConnect(Bytes(start)));

    [Fact]
    public void IncompleteHead_NoEnd() =>
        Assert.Null(ConnectRequestHead.FindEnd(Bytes("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\n")));
}
