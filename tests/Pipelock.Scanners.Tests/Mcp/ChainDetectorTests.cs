using System.Text.Json;
using Pipelock.Scanners.Mcp.Chains;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Mcp;

public class ChainDetectorTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly ChainOptions On = new() { Enabled = true };

    /// <summary>Runs the calls in order; returns the rule of the last call's finding (null when clean).</summary>
    private static string? Run(ChainDetector d, params string[] tools)
    {
        Verdict v = Verdict.Clean;
        foreach (var t in tools) v = d.Record("s", t);
        return v.IsClean ? null : v.Findings[0].Rule;
    }

    // Each built-in pattern. "noop" is unclassified and not recorded; "lookup_db" is a classified filler (read is
    // avoided where it would complete another pattern) used to exercise the gap.
    public static TheoryData<string[], string> Patterns => new()
    {
        { ["read_file", "noop", "noop", "bash"], "read-then-exec" },
        { ["read_file", "write_file", "noop", "http_post"], "read-write-send" },
        { ["get_env", "noop", "fetch_url"], "env-then-network" },
        { ["list_dir", "noop", "find_files", "view_note"], "directory-scan" },
        { ["create_note", "noop", "noop", "noop", "run_command"], "write-execute" },
        { ["write_file", "shell", "noop", "bash"], "write-chmod-execute" },
        { ["open_doc", "save_doc"], "read-sensitive-write" },
        { ["bash", "shell", "noop", "sh", "zsh"], "shell-burst" },
        { ["write_file", "cron_add"], "write-persist" },
        { ["crontab", "upload_file"], "persist-callback" },
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Record_PatternWithinGap_Detected(string[] calls, string pattern) =>
        Assert.Equal(pattern, Run(new ChainDetector(On), calls));

    [Theory]
    [InlineData(3, "read-then-exec")]
    [InlineData(4, null)]
    public void Record_GapOfClassifiedCalls_LimitedByMaxGap(int fillers, string? expected)
    {
        var calls = new[] { "read_file" }.Concat(Enumerable.Repeat("list_dir", fillers)).Append("bash").ToArray();
        Assert.Equal(expected, Run(new ChainDetector(On), calls));
    }

    [Fact]
    public void Record_UnclassifiedCalls_NotCountedAsGap() =>
        Assert.Equal("read-then-exec", Run(new ChainDetector(On), "read_file", "noop", "noop", "noop", "noop", "noop", "bash"));

    [Fact]
    public void Record_RetriesFromLaterStepOne()
    {
        // The first read is too far away; the second one starts a valid match (read-then-exec outranks directory-scan).
        Assert.Equal("read-then-exec", Run(new ChainDetector(On), "read_file", "list_dir", "list_dir", "list_dir", "list_dir", "read_file", "bash"));
    }

    [Fact]
    public void Record_ChainInWindow_LaterCallsStillReported()
    {
        // Pipelock keeps matching while the chain is in the window: with action block the follow-up calls are refused.
        Assert.Equal("read-then-exec", Run(new ChainDetector(On), "read_file", "bash", "list_dir"));
    }

    [Fact]
    public void Record_BestMatch_HighestSeverity()
    {
        // write → exec → exec is both write-execute (high) and write-chmod-execute (critical).
        var v = Verdict.Clean;
        var d = new ChainDetector(On);
        foreach (var t in new[] { "write_file", "bash", "bash" }) v = d.Record("s", t);
        Assert.Equal(("write-chmod-execute", Severity.Critical), (v.Findings[0].Rule, v.Findings[0].Severity));
    }

    [Fact]
    public void Record_WindowSeconds_ExpiresOldCalls()
    {
        var time = new ManualTime();
        var d = new ChainDetector(On, time);
        d.Record("s", "read_file");
        time.Now += TimeSpan.FromSeconds(61);
        Assert.True(d.Record("s", "bash").IsClean);
    }

    [Fact]
    public void Record_WindowSize_OldCallsDropped()
    {
        var d = new ChainDetector(On with { WindowSize = 2, MaxGap = 10 });
        Assert.Null(Run(d, "read_file", "list_dir", "list_dir", "bash"));
    }

    [Fact]
    public void Record_SessionsIsolated()
    {
        var d = new ChainDetector(On);
        d.Record("a", "read_file");
        Assert.True(d.Record("b", "bash").IsClean);
    }

    [Fact]
    public void Record_Override_ChangesActionOrDisables()
    {
        var block = new ChainDetector(On with { PatternOverrides = new Dictionary<string, ScanAction> { ["read-then-exec"] = ScanAction.Block } });
        block.Record("s", "read_file");
        Assert.Equal(ScanAction.Block, block.Record("s", "bash").Action);

        var off = new ChainDetector(On with { PatternOverrides = new Dictionary<string, ScanAction> { ["read-then-exec"] = ScanAction.None } });
        Assert.Null(Run(off, "read_file", "bash"));
    }

    [Fact]
    public void Record_CustomPattern_Detected()
    {
        var d = new ChainDetector(On with { CustomPatterns = [new ChainPattern("list-send", ["list", "network"], Severity.High, ScanAction.Block)] });
        Assert.Equal("list-send", Run(d, "search_files", "send_message"));
    }

    [Fact]
    public void Options_CustomPatternOneStep_Rejected() =>
        Assert.Throws<ArgumentException>(() => new ChainDetector(On with { CustomPatterns = [new ChainPattern("x", ["read"], Severity.High)] }));

    [Theory]
    [InlineData("read_file", null, "read")]
    [InlineData("bash_read", null, "exec")]
    [InlineData("cron_status", null, null)]
    [InlineData("cron_add", null, "persist")]
    [InlineData("get_secret", null, "env")]
    [InlineData("get_accounts", null, "read")]
    [InlineData("run_command", """{"cmd":"echo x | crontab -"}""", "persist")]
    [InlineData("write_file", """{"path":"/etc/systemd/system/x.service"}""", "persist")]
    [InlineData("write_file", """{"path":"/tmp/x"}""", "write")]
    [InlineData("mystery", null, null)]
    public void Classify_Keywords(string tool, string? args, string? category)
    {
        var c = new ToolClassifier();
        JsonElement? a = args is null ? null : JsonDocument.Parse(args).RootElement;
        Assert.Equal(category, c.Classify(tool, a));
    }

    [Fact]
    public void Classify_ConfigExactThenGlob()
    {
        var c = new ToolClassifier(new Dictionary<string, IReadOnlyList<string>>
        {
            ["network"] = ["sync_*"],
            ["read"] = ["sync_now"],
        });
        Assert.Equal("read", c.Classify("sync_now"));
        Assert.Equal("network", c.Classify("sync_later"));
    }
}
