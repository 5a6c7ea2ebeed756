using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipelock.Agent.Cli;
using Pipelock.Agent.Tests.Support;

namespace Pipelock.Agent.Tests.Cli;

public class CheckCommandJsonlTests
{
    private static CliRun RunJsonl(string input, FakeCarrierScanner? scanner = null, params string[] extra) =>
        CliRun.Of(scanner ?? new FakeCarrierScanner(), Encoding.UTF8.GetBytes(input), ["check", "--jsonl", "-", .. extra]);

    private static List<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Jsonl_ManyRecordsAcrossBatches_OutputInInputOrder()
    {
        var sb = new StringBuilder();
        const int n = 20000; // ~1.5 MB: many batches processed in parallel
        for (int i = 0; i < n; i++)
            sb.Append("{\"id\":\"r").Append(i).Append("\",\"text\":\"").Append(i % 7 == 0 ? "has SECRET " : "plain ").Append(new string('x', i % 50)).Append("\"}\n");

        var run = RunJsonl(sb.ToString());

        Assert.Equal(0, run.Exit);
        var lines = Lines(run.Out);
        Assert.Equal(n, lines.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal("r" + i, lines[i].GetProperty("id").GetString());
            Assert.Equal(i % 7 == 0, lines[i].GetProperty("flagged").GetBoolean());
        }
        Assert.Contains($"{n} records, {(n + 6) / 7} flagged, 0 bad lines", run.Err);
        Assert.Contains("MB/s", run.Err);
    }

    [Fact]
    public void Jsonl_FlaggedRecord_ListsScannerRuleSeverity()
    {
        var run = RunJsonl("{\"id\":\"a\",\"text\":\"SECRET\"}\n");

        var f = Lines(run.Out)[0].GetProperty("findings")[0];
        Assert.Equal("dlp", f.GetProperty("scanner").GetString());
        Assert.Equal("Fake Secret", f.GetProperty("rule").GetString());
        Assert.Equal("critical", f.GetProperty("severity").GetString());
    }

    [Fact]
    public void Jsonl_BadLines_ReportedWithLineNumbersAndExitTwo()
    {
        var input = string.Join("\n",
            "{\"id\":\"ok1\",\"text\":\"fine\"}",
            "{not json",
            "{\"id\":\"no-text\"}",
            "{\"id\":\"bad-where\",\"text\":\"t\",\"where\":\"pigeon\"}",
            "[1,2]",
            "{\"id\":\"num-text\",\"text\":5}",
            "{\"id\":\"two\",\"text\":\"a\"} {\"id\":\"x\"}",
            "{\"id\":\"ok2\",\"text\":\"SECRET\"}") + "\n";

        var run = RunJsonl(input);

        Assert.Equal(2, run.Exit);
        Assert.Equal(["ok1", "ok2"], Lines(run.Out).Select(l => l.GetProperty("id").GetString()));
        Assert.Contains("line 2: invalid JSON", run.Err);
        Assert.Contains("line 3 (id \"no-text\"): missing \"text\"", run.Err);
        Assert.Contains("line 4 (id \"bad-where\"): \"where\" must be one of", run.Err);
        Assert.Contains("line 5: not a JSON object", run.Err);
        Assert.Contains("line 6 (id \"num-text\"): \"text\" must be a string", run.Err);
        Assert.Contains("line 7 (id \"two\")", run.Err);
        Assert.Contains("6 bad lines", run.Err);
    }

    [Fact]
    public void Jsonl_IdForms_NumberKeptMissingUsesLineNumber()
    {
        var run = RunJsonl("{\"id\":42,\"text\":\"a\"}\r\n\n{\"text\":\"b\",\"label\":\"benign\",\"meta\":{\"k\":[1,2]}}\n");

        Assert.Equal(0, run.Exit);
        var lines = Lines(run.Out);
        Assert.Equal(42, lines[0].GetProperty("id").GetInt32());
        Assert.Equal(3, lines[1].GetProperty("id").GetInt32());
    }

    [Fact]
    public void Jsonl_WhereAndKind_PassedToScanner()
    {
        var scanner = new FakeCarrierScanner();

        RunJsonl("{\"id\":1,\"text\":\"a\",\"where\":\"tools_list\"}\n{\"id\":2,\"text\":\"b\"}", scanner, "--kind", "tool_poisoning");

        var calls = scanner.Calls.OrderBy(c => c.Text).ToList();
        Assert.Equal((ScanKind.ToolPoisoning, Carrier.ToolsList), (calls[0].Kind, calls[0].Where));
        Assert.Equal((ScanKind.ToolPoisoning, Carrier.Text), (calls[1].Kind, calls[1].Where));
    }

    [Fact]
    public void Jsonl_GzipFile_Accepted()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipelock-test-{Guid.NewGuid():N}.jsonl.gz");
        using (var fs = File.Create(path))
        using (var z = new GZipStream(fs, CompressionLevel.Fastest))
            z.Write(Encoding.UTF8.GetBytes("{\"id\":\"g1\",\"text\":\"SECRET\"}\n{\"id\":\"g2\",\"text\":\"ok\"}\n"));

        var run = CliRun.Of(new FakeCarrierScanner(), "check", "--kind", "dlp", "--jsonl", path);

        Assert.Equal(0, run.Exit);
        Assert.Equal([true, false], Lines(run.Out).Select(l => l.GetProperty("flagged").GetBoolean()));
    }

    [Fact]
    public void Jsonl_ScannerThrowsForOneRecord_ReportedNotDropped()
    {
        var scanner = new FakeCarrierScanner((k, w, t) => t == "boom" ? throw new InvalidOperationException("kaput") : Pipelock.Scanners.Verdicts.Verdict.Clean);

        var run = RunJsonl("{\"id\":\"a\",\"text\":\"boom\"}\n{\"id\":\"b\",\"text\":\"fine\"}\n", scanner);

        Assert.Equal(2, run.Exit);
        Assert.Contains("line 1 (id \"a\"): scan failed: kaput", run.Err);
        Assert.Equal("b", Assert.Single(Lines(run.Out)).GetProperty("id").GetString());
    }

    [Fact]
    public void Jsonl_LastLineWithoutNewline_Processed()
    {
        var run = RunJsonl("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"SECRET\"}");

        Assert.Equal(2, Lines(run.Out).Count);
    }

    [Fact]
    public void Jsonl_UnicodeText_RoundTripsToScanner()
    {
        var scanner = new FakeCarrierScanner();

        RunJsonl("{\"id\":\"u\",\"text\":\"h\\u00e9llo \\ud83d\\ude00 \u0436\"}\n", scanner);

        Assert.Equal("héllo 😀 ж", Assert.Single(scanner.Calls).Text);
    }
}
