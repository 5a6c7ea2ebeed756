using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pipelock.Agent.Config;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Operations;

/// <summary>
/// One event per decision (catalogue §5.5), as JSON lines or text, to stdout, a file or both. Events are formatted
/// on the caller's thread and written by one background writer, so a slow terminal never stalls a request; the
/// queue is bounded and waits when full rather than dropping a block event. Never logs a secret: findings carry
/// redacted evidence only, and the URL of a content finding is cut to scheme and host. When stdout is the journal
/// (a <see cref="JournalSink"/> is given), the stdout target becomes journald's native protocol with one field per
/// event key; the plain line still goes to stdout whenever a journal send fails.
/// </summary>
public sealed class DecisionLog : IAsyncDisposable
{
    /// <summary>The formatted line (stdout, file) and, when the journal is the stdout target, its journal entry.</summary>
    private readonly record struct Entry(byte[] Line, byte[]? Journal);

    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(8192)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task _writer;
    private readonly Stream? _stdout;
    private readonly Stream? _file;
    private readonly JournalSink? _journal;
    private readonly TimeProvider _time;
    private volatile LoggingConfig _options;
    private long _requestIds;

    /// <param name="journal">Replaces the stdout target when output is stdout or both (stdout stays the fallback);
    /// owned by the log from here on.</param>
    public DecisionLog(LoggingConfig options, Stream? stdout = null, TimeProvider? time = null, JournalSink? journal = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        if (options.Output is "stdout" or "both")
        {
            _stdout = stdout ?? Console.OpenStandardOutput();
            _journal = journal;
        }
        else
        {
            journal?.Dispose();
        }
        if (options.Output is "file" or "both" && options.File.Length > 0)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(options.File));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            _file = new FileStream(options.File, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Reloads take the new include_* switches; output targets need a restart.</summary>
    public void Update(LoggingConfig options) => _options = options;

    public string NextRequestId() => "req-" + Interlocked.Increment(ref _requestIds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Scanners whose findings are about content: their URLs are cut to scheme and host.</summary>
    public static bool IsContentScanner(string scanner) => scanner is ScannerNames.Dlp or ScannerNames.CoreDlp
        or ScannerNames.BodyDlp or ScannerNames.HeaderDlp or ScannerNames.McpInput or ScannerNames.ResponseScan
        or ScannerNames.CoreResponse or ScannerNames.SeedPhrase or ScannerNames.Canary or "cross_request_entropy" or "address_protection";

    /// <summary>Scheme and host of a URL (no path, query or credentials).</summary>
    public static string CutUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u)) return "[redacted]";
        return u.IsDefaultPort ? $"{u.Scheme}://{u.Host}" : $"{u.Scheme}://{u.Host}:{u.Port}";
    }

    public static string MitreTechnique(string scanner) => scanner switch
    {
        "dlp" or "core_dlp" or "entropy" or "subdomain_entropy" or "length" or "body_dlp" or "header_dlp" => "T1048",
        "ssrf" or "core_ssrf" => "T1046",
        "crlf_injection" => "T1190",
        "path_traversal" => "T1083",
        "blocklist" or "allowlist" => "T1071.001",
        "ratelimit" or "databudget" => "T1030",
        ScannerNames.SessionBinding => "T1195.002",
        "sni_mismatch" => "T1090.004",
        _ => "T1059",
    };

    /// <summary>A decision on a request or response: "blocked" (warn), or findings that were let through.</summary>
    public void Decision(string eventName, string method, string url, string clientIp, string requestId, Decision decision, string? direction = null, int? status = null)
    {
        var o = _options;
        if (decision.Blocked ? !o.IncludeBlocked : !o.IncludeAllowed && decision.Verdict.IsClean) return;
        var first = decision.Verdict.Findings.IsEmpty ? null : decision.Verdict.Findings[0];
        bool content = first is not null && IsContentScanner(first.Scanner);
        Write(decision.Blocked ? "warn" : decision.Verdict.IsClean ? "info" : "warn", eventName, w =>
        {
            w.WriteString("method", method);
            w.WriteString("url", content ? CutUrl(url) : url);
            if (content) w.WriteString("resource", "[redacted]");
            w.WriteString("client_ip", clientIp);
            w.WriteString("request_id", requestId);
            if (direction is not null) w.WriteString("direction", direction);
            if (status is { } s) w.WriteNumber("status", s);
            w.WriteString("outcome", decision.Outcome.ToString().ToLowerInvariant());
            if (decision.EnforcementSuppressed) w.WriteBoolean("enforce_suppressed", true);
            if (first is not null)
            {
                w.WriteString("scanner", first.Scanner);
                w.WriteString("reason", first.Rule);
                w.WriteString("mitre_technique", MitreTechnique(first.Scanner));
                w.WriteStartArray("findings");
                foreach (var f in decision.Verdict.Findings)
                {
                    w.WriteStartObject();
                    w.WriteString("scanner", f.Scanner);
                    w.WriteString("rule", f.Rule);
                    w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
                    w.WriteString("action", f.Action.ToWord());
                    if (!string.IsNullOrEmpty(f.Evidence)) w.WriteString("evidence", f.Evidence);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
        });
    }

    /// <summary>A free-form operational event (startup, reload, tunnel open/close, kill switch ...).</summary>
    public void Event(string level, string eventName, params (string Key, object? Value)[] fields)
    {
        if (level == "info" && eventName is "allowed" or "forward_http" && !_options.IncludeAllowed) return;
        Write(level, eventName, w =>
        {
            foreach (var (k, v) in fields)
            {
                switch (v)
                {
                    case null: w.WriteNull(k); break;
                    case bool b: w.WriteBoolean(k, b); break;
                    case int i: w.WriteNumber(k, i); break;
                    case long l: w.WriteNumber(k, l); break;
                    case double d: w.WriteNumber(k, Math.Round(d, 3)); break;
                    default: w.WriteString(k, v.ToString()); break;
                }
            }
        });
    }

    private void Write(string level, string eventName, Action<Utf8JsonWriter> fields)
    {
        var time = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("time", time);
            w.WriteString("component", "pipelock");
            w.WriteString("event", eventName);
            fields(w);
            w.WriteEndObject();
        }
        var json = buffer.WrittenSpan;
        bool text = _options.Format == "text";
        string? summary = text || _journal is not null ? Summary(json, eventName) : null;
        byte[] line = text ? Encoding.UTF8.GetBytes(time + " " + level.ToUpperInvariant() + " " + summary + "\n") : [.. json, (byte)'\n'];
        var entry = new Entry(line, _journal is null ? null : JournalSink.Entry(json, summary!, level));
        if (!_queue.Writer.TryWrite(entry))
            _queue.Writer.WriteAsync(entry).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// "event key=value ..." (values with spaces quoted): the text format after its time and level, and the
    /// journal's MESSAGE.
    /// </summary>
    private static string Summary(ReadOnlySpan<byte> json, string eventName)
    {
        var sb = new StringBuilder(128).Append(eventName);
        var r = new Utf8JsonReader(json);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.GetString()!;
            r.Read();
            int start = (int)r.TokenStartIndex;
            r.Skip();
            if (name is "time" or "level" or "event" or "component") continue;
            var v = r.TokenType == JsonTokenType.String ? r.GetString()! : Encoding.UTF8.GetString(json[start..(int)r.BytesConsumed]);
            sb.Append(' ').Append(name).Append('=');
            // Control characters are written escaped: a value (a header, a tool name) must not start a forged line.
            if (v.AsSpan().ContainsAnyInRange('\0', '\x1f') || v.Contains('\x7f')) v = EscapeControls(v);
            if (v.Contains(' ') || v.Length == 0) sb.Append('"').Append(v.Replace("\"", "\\\"")).Append('"'); else sb.Append(v);
        }
        return sb.ToString();
    }

    private static string EscapeControls(string v)
    {
        var sb = new StringBuilder(v.Length + 8);
        foreach (char c in v)
        {
            if (c is '\n') sb.Append("\\n");
            else if (c is '\r') sb.Append("\\r");
            else if (c is '\t') sb.Append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                try
                {
                    // A journal entry journald did not take goes to stdout as the plain line: never lose an event.
                    bool sent = entry.Journal is not null && _journal!.TrySend(entry.Journal);
                    if (!sent && _stdout is not null) await _stdout.WriteAsync(entry.Line).ConfigureAwait(false);
                    if (_file is not null) await _file.WriteAsync(entry.Line).ConfigureAwait(false);
                }
                catch (IOException) { }
            }
            try
            {
                if (_stdout is not null) await _stdout.FlushAsync().ConfigureAwait(false);
                if (_file is not null) await _file.FlushAsync().ConfigureAwait(false);
            }
            catch (IOException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _journal?.Dispose();
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
    }
}
