using System.Text;
using System.Text.Json;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Tests.Support;

namespace Pipelock.Agent.Tests.Cli;

public class JsonlBatchRunnerTests
{
    [Fact]
    public void Run_LineOverCap_ReportedAndSkippedNeighboursKept()
    {
        var input = "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"huge\",\"text\":\"" + new string('y', 5000) + "\"}\n{\"id\":\"c\",\"text\":\"SECRET\"}\n{bad\n";
        var output = new StringWriter();
        var err = new StringWriter();

        var summary = new JsonlBatchRunner(new FakeCarrierScanner(), ScanKind.All, maxLineBytes: 1024)
            .Run(new MemoryStream(Encoding.UTF8.GetBytes(input)), output, err);

        Assert.Equal(2, summary.Records);
        Assert.Equal(2, summary.BadLines);
        Assert.Contains("line 2: longer than 1024 bytes; skipped", err.ToString());
        Assert.Contains("line 4: invalid JSON", err.ToString());
        Assert.Equal(["a", "c"], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }

    [Fact]
    public void Run_StreamWriterOutput_WritesUtf8BytesInOrder()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) sb.Append("{\"id\":").Append(i).Append(",\"text\":\"é").Append(i).Append("\"}\n");
        var ms = new MemoryStream();
        var sw = new StreamWriter(ms, new UTF8Encoding(false));
        sw.Write("header\n");

        var summary = new JsonlBatchRunner(new FakeCarrierScanner(), ScanKind.Dlp, maxLineBytes: 4096)
            .Run(new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString())), sw, new StringWriter());

        var lines = Encoding.UTF8.GetString(ms.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3000, summary.Records);
        Assert.Equal("header", lines[0]);
        Assert.Equal(Enumerable.Range(0, 3000), lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt32()));
    }

    [Fact]
    public void Run_Utf8BomAtStart_Ignored()
    {
        var input = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"x\"}\n")).ToArray();
        var err = new StringWriter();

        var summary = new JsonlBatchRunner(new FakeCarrierScanner(), ScanKind.All).Run(new MemoryStream(input), new StringWriter(), err);

        Assert.Equal((1L, 0L), (summary.Records, summary.BadLines));
    }
}
