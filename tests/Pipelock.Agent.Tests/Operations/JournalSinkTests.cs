using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Pipelock.Agent.Config;
using Pipelock.Agent.Operations;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Tests.Operations;

/// <summary>
/// The journald native-protocol target: a Unix datagram socket bound here stands in for journald, and a small
/// parser (both field forms) reads back what the decision log sent.
/// </summary>
public sealed class JournalSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pl-journal-").FullName;
    private string SocketPath => Path.Combine(_dir, "socket");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One parsed field: key, value, and whether it came in the binary (length-prefixed) form.</summary>
    private sealed record JournalField(string Key, byte[] Value, bool Binary)
    {
        public string Text => Encoding.UTF8.GetString(Value);
    }

    private static List<JournalField> Parse(ReadOnlySpan<byte> d)
    {
        var fields = new List<JournalField>();
        while (!d.IsEmpty)
        {
            int eq = d.IndexOf((byte)'='), nl = d.IndexOf((byte)'\n');
            Assert.True(nl > 0, "every field ends with a newline");
            if (eq >= 0 && eq < nl)
            {
                fields.Add(new(Encoding.ASCII.GetString(d[..eq]), d[(eq + 1)..nl].ToArray(), false));
                d = d[(nl + 1)..];
            }
            else
            {
                var key = Encoding.ASCII.GetString(d[..nl]);
                var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(nl + 1, 8)));
                var value = d.Slice(nl + 9, length);
                Assert.Equal((byte)'\n', d[nl + 9 + length]);
                fields.Add(new(key, value.ToArray(), true));
                d = d[(nl + 10 + length)..];
            }
        }
        return fields;
    }

    private static string Get(List<JournalField> entry, string key) => Assert.Single(entry, f => f.Key == key).Text;

    private Socket BindJournal()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(SocketPath));
        return s;
    }

    /// <summary>Every datagram already queued on the socket (the log was disposed, so all sends are done).</summary>
    private static List<List<JournalField>> Drain(Socket journal)
    {
        journal.Blocking = false;
        var entries = new List<List<JournalField>>();
        var buffer = new byte[1 << 20];
        while (true)
        {
            int n;
            try { n = journal.Receive(buffer); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { return entries; }
            entries.Add(Parse(buffer.AsSpan(0, n)));
        }
    }

    private async Task<(List<List<JournalField>> Entries, string Stdout)> LogAsync(LoggingConfig options, Action<DecisionLog> write, string? sinkPath = null)
    {
        using var journal = BindJournal();
        var stdout = new MemoryStream();
        await using (var log = new DecisionLog(options, stdout, journal: new JournalSink(sinkPath ?? SocketPath)))
        {
            write(log);
        }
        return (Drain(journal), Encoding.UTF8.GetString(stdout.ToArray()));
    }

    private static Decision Blocked(string scanner) => DecisionPolicy.Decide(new Verdict(ImmutableArray.Create(
        new Finding(scanner, "GitHub Token", Severity.Critical, ScanAction.Block, "ghp_…(40)", 0))));

    [Fact]
    public async Task BlockDecision_EveryEventFieldIsAJournalField()
    {
        var (entries, stdout) = await LogAsync(new LoggingConfig(), log =>
            log.Decision("blocked", "POST", "https://api.example.test/upload?token=abc", "10.1.2.3", "req-7", Blocked(ScannerNames.Dlp), "request"));

        Assert.Equal("", stdout);
        var e = Assert.Single(entries);
        Assert.Equal("4", Get(e, "PRIORITY"));
        Assert.Equal("pipelock", Get(e, "SYSLOG_IDENTIFIER"));
        Assert.Equal("blocked", Get(e, "PIPELOCK_EVENT"));
        Assert.Equal("warn", Get(e, "PIPELOCK_LEVEL"));
        Assert.Equal("dlp", Get(e, "PIPELOCK_SCANNER"));
        Assert.Equal("GitHub Token", Get(e, "PIPELOCK_REASON"));
        Assert.Equal("req-7", Get(e, "PIPELOCK_REQUEST_ID"));
        Assert.Equal("10.1.2.3", Get(e, "PIPELOCK_CLIENT_IP"));
        Assert.Equal("https://api.example.test", Get(e, "PIPELOCK_URL"));
        Assert.Equal("[redacted]", Get(e, "PIPELOCK_RESOURCE"));
        Assert.Equal("T1048", Get(e, "PIPELOCK_MITRE_TECHNIQUE"));
        Assert.Equal("pipelock", Get(e, "PIPELOCK_COMPONENT"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT[\d:.]+Z$", Get(e, "PIPELOCK_TIME"));

        // Findings: compact JSON, string escapes intact, evidence redacted as in the JSON line.
        var finding = Assert.Single(JsonDocument.Parse(Get(e, "PIPELOCK_FINDINGS")).RootElement.EnumerateArray());
        Assert.Equal("ghp_…(40)", finding.GetProperty("evidence").GetString());

        // MESSAGE: the text format's line without time and level (the findings value quoted: it contains spaces).
        var findings = Get(e, "PIPELOCK_FINDINGS");
        Assert.Equal("blocked method=POST url=https://api.example.test resource=[redacted] client_ip=10.1.2.3 request_id=req-7 "
            + "direction=request outcome=block scanner=dlp reason=\"GitHub Token\" mitre_technique=T1048 findings=\""
            + findings.Replace("\"", "\\\"") + "\"", Get(e, "MESSAGE"));
        Assert.All(e, f => Assert.False(f.Binary));
        Assert.All(e, f => Assert.DoesNotContain("abc", f.Text));
    }

    [Theory]
    [InlineData("info", "6")]
    [InlineData("warn", "4")]
    [InlineData("error", "3")]
    [InlineData("debug", "7")]
    public async Task OperationalEvent_PriorityFollowsTheLevel_ScalarsAsWritten(string level, string priority)
    {
        var (entries, stdout) = await LogAsync(new LoggingConfig(), log =>
            log.Event(level, "config_reload", ("trigger", "sighup"), ("ok", true), ("generation", 3), ("took_ms", 1.5), ("file", null)));

        Assert.Equal("", stdout);
        var e = Assert.Single(entries);
        Assert.Equal(priority, Get(e, "PRIORITY"));
        Assert.Equal(level, Get(e, "PIPELOCK_LEVEL"));
        Assert.Equal("config_reload", Get(e, "PIPELOCK_EVENT"));
        Assert.Equal("sighup", Get(e, "PIPELOCK_TRIGGER"));
        Assert.Equal("true", Get(e, "PIPELOCK_OK"));
        Assert.Equal("3", Get(e, "PIPELOCK_GENERATION"));
        Assert.Equal("1.5", Get(e, "PIPELOCK_TOOK_MS"));
        Assert.Equal("null", Get(e, "PIPELOCK_FILE"));
        Assert.Equal("config_reload trigger=sighup ok=true generation=3 took_ms=1.5 file=null", Get(e, "MESSAGE"));
    }

    [Fact]
    public async Task ValueWithNewline_UsesTheBinaryForm()
    {
        var (entries, _) = await LogAsync(new LoggingConfig(), log =>
            log.Event("error", "config_reload", ("errors", "line 3: bad key\nline 9: \"quoted\" value"), ("ok", false)));

        var e = Assert.Single(entries);
        var errors = Assert.Single(e, f => f.Key == "PIPELOCK_ERRORS");
        Assert.True(errors.Binary);
        Assert.Equal("line 3: bad key\nline 9: \"quoted\" value", errors.Text);
        // MESSAGE is the one-line summary: the newline is written escaped there (the field above keeps it).
        var message = Assert.Single(e, f => f.Key == "MESSAGE");
        Assert.False(message.Binary);
        Assert.Contains(@"line 3: bad key\nline 9", message.Text, StringComparison.Ordinal);
        Assert.False(Assert.Single(e, f => f.Key == "PIPELOCK_OK").Binary);
    }

    [Theory]
    [InlineData("request_id", "PIPELOCK_REQUEST_ID")]
    [InlineData("event", "PIPELOCK_EVENT")]
    [InlineData("listen-addr.v6", "PIPELOCK_LISTEN_ADDR_V6")]
    [InlineData("größe", "PIPELOCK_GR__E")]
    [InlineData("9lives", "PIPELOCK_9LIVES")]
    [InlineData("", "PIPELOCK_")]
    public void FieldName_UpperCaseAndUnderscores(string name, string expected) => Assert.Equal(expected, JournalSink.FieldName(name));

    [Fact]
    public void FieldName_CutToJournaldsLimit()
    {
        var name = JournalSink.FieldName(new string('a', 100));
        Assert.Equal(64, name.Length);
        Assert.Equal("PIPELOCK_" + new string('A', 55), name);
    }

    [Fact]
    public async Task EscapedJsonFieldName_IsUnescapedBeforeMapping()
    {
        var (entries, _) = await LogAsync(new LoggingConfig(), log => log.Event("info", "x", ("wert<ä>", "v")));
        Assert.Equal("v", Get(Assert.Single(entries), "PIPELOCK_WERT___"));
    }

    [Fact]
    public async Task NoSocketAtThePath_EveryLineGoesToStdout()
    {
        var (entries, stdout) = await LogAsync(new LoggingConfig(), log =>
        {
            log.Decision("blocked", "GET", "http://169.254.169.254/latest", "10.1.2.3", "req-1", Blocked(ScannerNames.Ssrf));
            log.Event("info", "startup", ("version", "1.2.3"));
        }, sinkPath: Path.Combine(_dir, "nothing-here"));

        Assert.Empty(entries);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["blocked", "startup"], lines.Select(l => l.GetProperty("event").GetString()));
        Assert.Equal("ssrf", lines[0].GetProperty("scanner").GetString());
    }

    [Fact]
    public async Task TextFormat_FallbackLineIsTheTextLine()
    {
        var (_, stdout) = await LogAsync(new LoggingConfig { Format = "text" }, log =>
            log.Event("info", "startup", ("version", "1.2.3"), ("config", "built-in default")), sinkPath: Path.Combine(_dir, "nothing-here"));

        Assert.Matches(@"^\d{4}-\d\d-\d\dT[\d:.]+Z INFO startup version=1\.2\.3 config=""built-in default""\n$", stdout);
    }

    [Fact]
    public async Task EntryTooBigForADatagram_GoesToStdout_TheNextOneToTheJournal()
    {
        using var journal = BindJournal();
        var stdout = new MemoryStream();
        var sink = new JournalSink(SocketPath);
        var big = new string('x', sink.SendBufferBytes + 4096);
        await using (var log = new DecisionLog(new LoggingConfig(), stdout, journal: sink))
        {
            log.Event("warn", "huge", ("detail", big));
            log.Event("info", "small");
        }

        var e = Assert.Single(Drain(journal));
        Assert.Equal("small", Get(e, "PIPELOCK_EVENT"));
        var line = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal("huge", line.GetProperty("event").GetString());
        Assert.Equal(big.Length, line.GetProperty("detail").GetString()!.Length);
    }

    [Fact]
    public async Task BothOutputs_FileKeepsTheLine_JournalReplacesStdout()
    {
        var file = Path.Combine(_dir, "decisions.jsonl");
        var (entries, stdout) = await LogAsync(new LoggingConfig { Output = "both", File = file }, log => log.Event("info", "startup"));

        Assert.Equal("", stdout);
        Assert.Equal("startup", Get(Assert.Single(entries), "PIPELOCK_EVENT"));
        Assert.Equal("startup", JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task FileOutputOnly_JournalUnused()
    {
        var file = Path.Combine(_dir, "decisions.jsonl");
        var (entries, stdout) = await LogAsync(new LoggingConfig { Output = "file", File = file }, log => log.Event("info", "startup"));

        Assert.Empty(entries);
        Assert.Equal("", stdout);
        Assert.Single(File.ReadAllLines(file));
    }

    [Theory]
    [InlineData("8:12345", 8UL, 12345UL, true)]
    [InlineData("0:18446744073709551615", 0UL, ulong.MaxValue, true)]
    [InlineData("8:12346", 8UL, 12345UL, false)]   // another stream (stdout redirected after systemd started us)
    [InlineData("9:12345", 8UL, 12345UL, false)]
    [InlineData("", 8UL, 12345UL, false)]
    [InlineData("8", 8UL, 12345UL, false)]
    [InlineData("8:", 8UL, 12345UL, false)]
    [InlineData(":12345", 8UL, 12345UL, false)]
    [InlineData("8:12345:1", 8UL, 12345UL, false)]
    [InlineData(" 8:12345", 8UL, 12345UL, false)]
    [InlineData("-8:12345", 8UL, 12345UL, false)]
    [InlineData("0x8:12345", 8UL, 12345UL, false)]
    public void StreamMatches_DeviceAndInodeBothEqual(string journalStream, ulong device, ulong inode, bool expected) =>
        Assert.Equal(expected, JournalSink.StreamMatches(journalStream, device, inode));

    /// <summary>fstat of a real descriptor gives what stat(1) prints as %d:%i: the struct offsets are right.</summary>
    [Fact]
    public void TryDescribe_AgreesWithStat()
    {
        var path = Path.Combine(_dir, "probe");
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        Assert.True(JournalSink.TryDescribe((int)handle.DangerousGetHandle(), out var device, out var inode));

        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
        var expected = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(expected, $"{device}:{inode}");
    }

    [Fact]
    public void UseForStdout_OnlyWhenJournalStreamIsFdOne_AndNotTurnedOff()
    {
        Assert.True(JournalSink.TryDescribe(1, out var device, out var inode));
        var matching = $"{device}:{inode}";

        Assert.True(JournalSink.UseForStdout(matching, null, 1));
        Assert.True(JournalSink.UseForStdout(matching, "1", 1));
        Assert.False(JournalSink.UseForStdout(matching, "0", 1));                   // PIPELOCK_JOURNAL=0
        Assert.False(JournalSink.UseForStdout($"{device}:{inode + 1}", null, 1));    // stdout is something else
        Assert.False(JournalSink.UseForStdout("not-a-stream", null, 1));
        Assert.False(JournalSink.UseForStdout(null, null, 1));                       // not started by systemd
        Assert.False(JournalSink.UseForStdout(matching, null, -1));                  // fstat fails
    }
}
