using System.Text;
using Pipelock.Agent.Mcp;

namespace Pipelock.Agent.Tests.Mcp;

public class McpSseReaderTests
{
    public static TheoryData<string, string> Streams() => new()
    {
        { "LF", "event: message\nid: 1\ndata: {\"a\":1}\n\n: comment\n\ndata: x\ndata: y\n\n" },
        { "CRLF", "event: message\r\nid: 1\r\ndata: {\"a\":1}\r\n\r\n: comment\r\n\r\ndata: x\r\ndata: y\r\n\r\n" },
        { "CR", "event: message\rid: 1\rdata: {\"a\":1}\r\r: comment\r\rdata: x\rdata: y\r\r" },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void AnyChunking_SameEvents_RawBytesAreTheInput(string name, string stream)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        foreach (int chunk in new[] { 1, 2, 3, 7, bytes.Length })
        {
            var reader = new McpSseReader(1024);
            var events = new List<McpSseEvent>();
            for (int i = 0; i < bytes.Length; i += chunk) reader.Push(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), events);

            Assert.True(events.Count == 3, $"{name}/{chunk}: {events.Count} events");
            Assert.Equal(bytes, events.SelectMany(e => e.Raw).Concat(reader.Complete()).ToArray());
            Assert.Equal(("{\"a\":1}", "1", "message"), (events[0].Data, events[0].Id, events[0].EventType));
            Assert.Null(events[1].Data);
            Assert.Equal("x\ny", events[2].Data);
            Assert.Null(events[2].Id);
        }
    }

    [Fact]
    public void UnterminatedEvent_NotDispatchedNorReturned()
    {
        var reader = new McpSseReader(1024);
        var events = new List<McpSseEvent>();
        reader.Push("data: a\n\ndata: b"u8, events);
        Assert.Single(events);
        Assert.Empty(reader.Complete());
    }

    [Fact]
    public void OversizeEvent_StopsReading()
    {
        var reader = new McpSseReader(16);
        var events = new List<McpSseEvent>();
        reader.Push(Encoding.UTF8.GetBytes("data: " + new string('a', 40) + "\n\ndata: b\n\n"), events);
        Assert.True(reader.Oversize);
        Assert.Empty(events);
    }

    [Fact]
    public void Format_KeepsIdAndType_OneDataLine()
    {
        var original = new McpSseEvent([], "{}", "7", "message");
        var text = Encoding.UTF8.GetString(McpSseReader.Format(original, "{\"b\":2}"u8));
        Assert.Equal("event: message\nid: 7\ndata: {\"b\":2}\n\n", text);
    }

    [Theory]
    [InlineData("tools/call", "tools/call")]
    [InlineData("notifications/initialized", "notifications/initialized")]
    [InlineData("initialize", "initialize")]
    [InlineData("tools/ghp_0a1b2c3d", "other")]
    [InlineData("custom/method", "other")]
    [InlineData("nothing", "other")]
    [InlineData(null, "invalid")]
    public void SafeMethod_OnlyMcpNamesAreLogged(string? method, string expected) =>
        Assert.Equal(expected, McpExchange.SafeMethod(method));
}
