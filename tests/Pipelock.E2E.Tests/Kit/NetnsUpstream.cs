using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// One request as the <see cref="NetnsUpstream"/> saw it. <see cref="Client"/> is the peer address (IPv4-mapped
/// addresses unmapped): the client's own when traffic was merely routed, the proxy namespace's when the agent
/// intercepted and re-originated it. <see cref="LocalAddress"/>/<see cref="LocalPort"/> are the address the connection
/// reached; <see cref="Sni"/> and <see cref="Alpn"/> what the TLS client sent and got (null over plain HTTP).
/// </summary>
public sealed record NetnsRequest(
    long Seq, DateTime ReceivedAtUtc, string Scheme, string LocalAddress, int LocalPort, string Client, int ClientPort,
    string Method, string Target, string Protocol, string? Host, string? Sni, string? Alpn, string? TlsVersion,
    long BodyLength, string BodySha256, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string Path => Target.Split('?', 2)[0];

    /// <summary>All values of a header (case-insensitive), joined by ", "; null when absent.</summary>
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>Parses one record (a request-log line, or the body /echo returns).</summary>
    public static NetnsRequest Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        string? Str(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var h in r.GetProperty("headers").EnumerateArray()) headers.Add(new(h[0].GetString()!, h[1].GetString()!));
        return new NetnsRequest(
            r.GetProperty("seq").GetInt64(), NetnsUpstream.FromUnixSeconds(r.GetProperty("time").GetDouble()),
            Str("scheme")!, Str("localAddress")!, r.GetProperty("localPort").GetInt32(), Str("client")!, r.GetProperty("clientPort").GetInt32(),
            Str("method")!, Str("target")!, Str("protocol")!, Str("host"), Str("sni"), Str("alpn"), Str("tlsVersion"),
            r.GetProperty("bodyLength").GetInt64(), Str("bodySha256")!, headers);
    }
}

/// <summary>One /sse event: which response (<see cref="RequestSeq"/>), which event (1-based) and when it was written.</summary>
public sealed record NetnsSseEvent(long RequestSeq, int Index, DateTime WrittenAtUtc);

/// <summary>A request whose body ended early: <see cref="BodyLength"/> bytes arrived before the sender gave up.</summary>
public sealed record NetnsPartialRequest(DateTime AtUtc, string Method, string Target, long BodyLength, string Error);

/// <summary>A TLS handshake the upstream refused or lost (e.g. the client did not trust its certificate).</summary>
public sealed record NetnsTlsError(DateTime AtUtc, string Client, int Port, string Error);

/// <summary>
/// HTTP and HTTPS origin servers inside a <see cref="NetnsTopology"/>'s server namespace: one Python 3 process
/// (standard library only; the script is embedded here and written to a temp file at start) with a dual-stack
/// listener per port, by default 80 and 443. The HTTPS certificate comes from a <see cref="TestPki"/> (the test's
/// "public" CA, which the agent is told to trust) and names <see cref="Names"/> plus the server's IPv4 and IPv6 addresses.
/// <list type="bullet">
/// <item><c>/echo</c> (any method): the request record as JSON (<see cref="NetnsRequest.Parse"/>): client address, Host,
/// SNI, body length and SHA-256, headers;</item>
/// <item><c>GET /bytes?n=N</c>: N bytes of <see cref="PatternBytes"/>, SHA-256 in X-Body-Sha256;</item>
/// <item><c>GET /sse?n=&amp;delayMs=&amp;at=&amp;data=</c>: n chunked events "data: event i", each flushed; event
/// <c>at</c> carries <c>data</c> instead;</item>
/// <item><c>GET /lines?n=&amp;at=&amp;data=</c>: n bytes of <see cref="ProseChunks"/> as text/plain, data written over it at byte at;</item>
/// <item><c>GET /text?body=&amp;type=&amp;status=</c>: that body, content type and status.</item>
/// </list>
/// Every request is recorded (<see cref="Requests"/>, <see cref="WaitForRequestAsync"/>) and appended as a JSON line to
/// <see cref="RequestLogPath"/>. Dispose stops the server and deletes its files.
/// </summary>
public sealed class NetnsUpstream : IAsyncDisposable
{
    public static readonly IReadOnlyList<string> DefaultNames = ["upstream.test", "api.upstream.test"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Period of the /bytes pattern: prime, so it never lines up with buffer or record sizes.</summary>
    public const int PatternPeriod = 251;

    private const string RequestPrefix = "@@request ";
    private const string SsePrefix = "@@sse ";
    private const string TlsErrorPrefix = "@@tls-error ";
    private const string PartialPrefix = "@@partial ";

    private readonly bool _ownsPki;
    private AgentProcess? _process;

    private NetnsUpstream(NetnsTopology topology, TestPki pki, bool ownsPki, string directory, IReadOnlyList<string> names,
        IReadOnlyList<int> httpPorts, IReadOnlyList<int> httpsPorts)
    {
        Topology = topology;
        Pki = pki;
        _ownsPki = ownsPki;
        Directory = directory;
        Names = names;
        HttpPorts = httpPorts;
        HttpsPorts = httpsPorts;
    }

    public NetnsTopology Topology { get; }

    /// <summary>The "public" test CA that signed the server certificate: the agent's upstream_ca_file, curl's --cacert for direct tests.</summary>
    public TestPki Pki { get; }

    public string Directory { get; }
    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<int> HttpPorts { get; }
    public IReadOnlyList<int> HttpsPorts { get; }
    public string RequestLogPath => System.IO.Path.Combine(Directory, "requests.jsonl");
    public AgentProcess Process => _process ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<NetnsRequest> Requests => Parsed(RequestPrefix, NetnsRequest.Parse);

    public IReadOnlyList<NetnsSseEvent> SseEvents => Parsed(SsePrefix, ParseSse);

    public IReadOnlyList<NetnsTlsError> TlsErrors => Parsed(TlsErrorPrefix, ParseTlsError);

    /// <summary>Requests whose body ended early (the sender aborted): how many body bytes arrived before that.</summary>
    public IReadOnlyList<NetnsPartialRequest> PartialRequests => Parsed(PartialPrefix, ParsePartial);

    /// <param name="pki">The CA to sign with; null = a fresh one, owned (and disposed) by this upstream.</param>
    /// <param name="names">DNS names in the certificate (default <see cref="DefaultNames"/>); the server's addresses are always added.</param>
    /// <param name="httpPorts">Plain-HTTP ports (default 80).</param>
    /// <param name="httpsPorts">HTTPS ports (default 443).</param>
    /// <param name="expiredCertificate">Serve a certificate whose validity ended ten minutes ago (otherwise valid).</param>
    public static async Task<NetnsUpstream> StartAsync(
        NetnsTopology topology, TestPki? pki = null, IReadOnlyList<string>? names = null,
        IReadOnlyList<int>? httpPorts = null, IReadOnlyList<int>? httpsPorts = null, bool expiredCertificate = false)
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipelock-e2e-netns-upstream-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var up = new NetnsUpstream(topology, pki ?? TestPki.Create(), pki is null, dir, names ?? DefaultNames, httpPorts ?? [80], httpsPorts ?? [443]);
        try
        {
            // Expired but inside the CA's own validity (it starts an hour ago), so expiry is the only fault.
            var now = DateTimeOffset.UtcNow;
            (DateTimeOffset, DateTimeOffset)? validity = expiredCertificate ? (now.AddMinutes(-50), now.AddMinutes(-10)) : null;
            using (var cert = up.Pki.IssueServerCertificate(validity, [.. up.Names, topology.ServerV4.ToString(), topology.ServerV6.ToString()]))
            {
                await File.WriteAllTextAsync(up.CertPath, cert.ExportCertificatePem() + "\n").ConfigureAwait(false);
                using var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("server certificate without an ECDSA key");
                await File.WriteAllTextAsync(up.KeyPath, key.ExportPkcs8PrivateKeyPem() + "\n").ConfigureAwait(false);
                if (OperatingSystem.IsLinux()) File.SetUnixFileMode(up.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            await File.WriteAllTextAsync(up.ScriptPath, Script).ConfigureAwait(false);
            await File.WriteAllTextAsync(up.ConfigPath, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["cert"] = up.CertPath,
                ["key"] = up.KeyPath,
                ["log"] = up.RequestLogPath,
                ["http"] = up.HttpPorts,
                ["https"] = up.HttpsPorts,
            })).ConfigureAwait(false);
            // -u: unbuffered stdout, so each record reaches the test as it is written.
            up._process = await topology.StartInAsync(topology.ServerNs, Python, ["-u", up.ScriptPath, up.ConfigPath]).ConfigureAwait(false);
            await up._process.WaitForLineAsync(l => l.StartsWith("@@ready ", StringComparison.Ordinal), StartTimeout).ConfigureAwait(false);
            return up;
        }
        catch
        {
            await up.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>https://host/path on the first HTTPS port (omitted when 443); an IPv6 literal is bracketed.</summary>
    public string HttpsUrl(string hostOrAddress, string pathAndQuery = "/", int? port = null) =>
        NetnsTopology.UrlFor("https", hostOrAddress, pathAndQuery, PortPart(port ?? HttpsPorts[0], 443));

    /// <summary>http://host/path on the first HTTP port (omitted when 80).</summary>
    public string HttpUrl(string hostOrAddress, string pathAndQuery = "/", int? port = null) =>
        NetnsTopology.UrlFor("http", hostOrAddress, pathAndQuery, PortPart(port ?? HttpPorts[0], 80));

    /// <summary>Hosts entries mapping every name in <see cref="Names"/> to the server's IPv4 (and/or IPv6) address, for <see cref="NetnsTopology.SetHosts"/>.</summary>
    public (string Name, string Ip)[] HostEntries(bool v4 = true, bool v6 = false) =>
        Names.SelectMany(n => (v4 ? new[] { (n, Topology.ServerV4.ToString()) } : []).Concat(v6 ? [(n, Topology.ServerV6.ToString())] : [])).ToArray();

    /// <summary>First request (earlier ones included) matching <paramref name="match"/>; bounded.</summary>
    public async Task<NetnsRequest> WaitForRequestAsync(Func<NetnsRequest, bool> match, TimeSpan timeout)
    {
        var line = await Process.WaitForLineAsync(l => l.StartsWith(RequestPrefix, StringComparison.Ordinal) && match(NetnsRequest.Parse(l[RequestPrefix.Length..])), timeout)
            .ConfigureAwait(false);
        return NetnsRequest.Parse(line[RequestPrefix.Length..]);
    }

    /// <summary>Waits (bounded) until event <paramref name="index"/> (1-based) of the /sse response to request <paramref name="requestSeq"/> was written.</summary>
    public async Task<NetnsSseEvent> WaitForSseEventAsync(long requestSeq, int index, TimeSpan timeout)
    {
        var line = await Process.WaitForLineAsync(l => l.StartsWith(SsePrefix, StringComparison.Ordinal) && ParseSse(l[SsePrefix.Length..]) is var e
            && e.RequestSeq == requestSeq && e.Index == index, timeout).ConfigureAwait(false);
        return ParseSse(line[SsePrefix.Length..]);
    }

    /// <summary>The request log file as written so far (the same records as <see cref="Requests"/>).</summary>
    public IReadOnlyList<NetnsRequest> ReadRequestLog() =>
        File.Exists(RequestLogPath)
            ? File.ReadAllLines(RequestLogPath).Where(l => l.Length > 0).Select(NetnsRequest.Parse).ToArray()
            : [];

    /// <summary>The /bytes body: byte i is i mod <see cref="PatternPeriod"/>.</summary>
    public static byte[] PatternBytes(int n)
    {
        var b = new byte[n];
        for (var i = 0; i < n; i++) b[i] = (byte)(i % PatternPeriod);
        return b;
    }

    /// <summary>Lower-case hex SHA-256 of the first <paramref name="n"/> pattern bytes, without materialising them.</summary>
    public static string PatternSha256(long n)
    {
        var block = PatternBytes(PatternPeriod * 261);
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var left = n; left > 0; left -= block.Length) h.AppendData(block, 0, (int)Math.Min(left, block.Length));
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try { await _process.DisposeAsync().ConfigureAwait(false); }
            catch (InvalidOperationException) { } // disposed with the topology already
        }
        if (_ownsPki) Pki.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static DateTime FromUnixSeconds(double s) => DateTime.UnixEpoch.AddTicks((long)(s * TimeSpan.TicksPerSecond));

    private string CertPath => System.IO.Path.Combine(Directory, "server.pem");
    private string KeyPath => System.IO.Path.Combine(Directory, "server-key.pem");
    private string ScriptPath => System.IO.Path.Combine(Directory, "upstream.py");
    private string ConfigPath => System.IO.Path.Combine(Directory, "config.json");

    /// <summary>Debian's python3 by absolute path: a pyenv shim on PATH may not work under another uid or environment.</summary>
    private static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static int? PortPart(int port, int standard) => port == standard ? null : port;

    private IReadOnlyList<T> Parsed<T>(string prefix, Func<string, T> parse) =>
        _process is null ? [] : _process.Lines.Where(l => !l.IsStderr && l.Text.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => parse(l.Text[prefix.Length..])).ToArray();

    private static NetnsSseEvent ParseSse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new NetnsSseEvent(r.GetProperty("seq").GetInt64(), r.GetProperty("index").GetInt32(), FromUnixSeconds(r.GetProperty("time").GetDouble()));
    }

    private static NetnsPartialRequest ParsePartial(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new NetnsPartialRequest(FromUnixSeconds(r.GetProperty("time").GetDouble()), r.GetProperty("method").GetString()!,
            r.GetProperty("target").GetString()!, r.GetProperty("bodyLength").GetInt64(), r.GetProperty("error").GetString()!);
    }

    /// <summary>
    /// The /lines body: numbered ASCII prose lines repeating every 10,000 lines, <paramref name="n"/> bytes, with
    /// <paramref name="data"/> written over it at byte <paramref name="at"/> (none when negative). Same text as the server's.
    /// </summary>
    public static IEnumerable<ReadOnlyMemory<byte>> ProseChunks(long n, long at = -1, string? data = null)
    {
        var prose = Prose.Value;
        var overlay = data is null ? [] : System.Text.Encoding.ASCII.GetBytes(data);
        for (long pos = 0; pos < n;)
        {
            int start = (int)(pos % prose.Length);
            int len = (int)Math.Min(n - pos, prose.Length - start);
            var piece = new ReadOnlyMemory<byte>(prose, start, len);
            if (at >= 0 && pos < at + overlay.Length && at < pos + len)
            {
                var copy = piece.ToArray();
                for (long i = Math.Max(at, pos); i < Math.Min(at + overlay.Length, pos + len); i++) copy[i - pos] = overlay[i - at];
                piece = copy;
            }
            yield return piece;
            pos += len;
        }
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="ProseChunks"/>.</summary>
    public static string ProseSha256(long n, long at = -1, string? data = null)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var c in ProseChunks(n, at, data)) h.AppendData(c.Span);
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>Writes <see cref="ProseChunks"/> to a file (an upload body for curl's --data-binary @file).</summary>
    public static async Task WriteProseAsync(string path, long n, long at = -1, string? data = null)
    {
        await using var f = File.Create(path);
        foreach (var c in ProseChunks(n, at, data)) await f.WriteAsync(c).ConfigureAwait(false);
    }

    private static readonly Lazy<byte[]> Prose = new(() =>
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 10000; i++) sb.Append("line ").Append(i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).Append(": the quick brown fox jumps over the lazy dog\n");
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString());
    });

    private static NetnsTlsError ParseTlsError(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new NetnsTlsError(FromUnixSeconds(r.GetProperty("time").GetDouble()), r.GetProperty("client").GetString()!,
            r.GetProperty("port").GetInt32(), r.GetProperty("error").GetString()!);
    }

    /// <summary>The server (Python 3, standard library only).</summary>
    private const string Script = """
# Test upstream for Pipelock's network-namespace E2E tests (generated by NetnsUpstream.cs; not a product file).
# One process, one dual-stack listener per port (HTTP and HTTPS). Every request is logged as a JSON line to the
# log file and, prefixed with "@@request ", to stdout, which the C# side reads as it arrives.
import hashlib, json, socket, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer

PERIOD = 251  # /bytes: byte i is i % 251 (a prime period, so it never lines up with buffer sizes)
BLOCK = bytes(i % PERIOD for i in range(PERIOD * 261))
# /lines: plain ASCII prose (nothing a scanner objects to), numbered lines repeating every 10,000 lines.
PROSE = "".join("line %05d: the quick brown fox jumps over the lazy dog\n" % i for i in range(10000)).encode()
OUT_LOCK = threading.Lock()
SEQ = [0]
TLS = threading.local()

with open(sys.argv[1]) as f:
    CONFIG = json.load(f)
LOG = open(CONFIG["log"], "a", buffering=1)


def emit(kind, obj):
    line = json.dumps(obj, separators=(",", ":"))
    with OUT_LOCK:
        if kind == "request":
            LOG.write(line + "\n")
        sys.stdout.write("@@" + kind + " " + line + "\n")
        sys.stdout.flush()


def next_seq():
    with OUT_LOCK:
        SEQ[0] += 1
        return SEQ[0]


def unmap(addr):
    addr = addr.split("%", 1)[0]
    return addr[7:] if addr.startswith("::ffff:") and "." in addr else addr


def pattern(n):
    while n > 0:
        k = min(n, len(BLOCK))
        yield BLOCK[:k]
        n -= k


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pipelock-netns-upstream"
    timeout = 120  # idle keep-alive connections end on their own

    def log_message(self, *args):
        pass

    def do_GET(self): self.route()
    def do_POST(self): self.route()
    def do_PUT(self): self.route()
    def do_PATCH(self): self.route()
    def do_DELETE(self): self.route()

    def read_body(self):
        digest, length = hashlib.sha256(), 0
        self.partial_length = 0
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                while size > 0:
                    piece = self.rfile.read(min(size, 65536))
                    if not piece:
                        raise ConnectionError("body ended early")
                    digest.update(piece); length += len(piece); size -= len(piece)
                    self.partial_length = length
                self.rfile.readline(16)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                piece = self.rfile.read(min(left, 65536))
                if not piece:
                    raise ConnectionError("body ended early")
                digest.update(piece); length += len(piece); left -= len(piece)
                self.partial_length = length
        return length, digest.hexdigest()

    def route(self):
        try:
            length, sha = self.read_body()
        except OSError as e:
            # The sender gave up mid-body (e.g. the agent aborted a streamed upload): record how much arrived.
            emit("partial", {"time": time.time(), "method": self.command, "target": self.path,
                             "bodyLength": self.partial_length, "error": repr(e)})
            self.close_connection = True
            return
        local = self.connection.getsockname()
        tls = self.server.tls is not None
        rec = {
            "seq": next_seq(), "time": time.time(), "scheme": "https" if tls else "http",
            "localAddress": unmap(local[0]), "localPort": local[1],
            "client": unmap(self.client_address[0]), "clientPort": self.client_address[1],
            "method": self.command, "target": self.path, "protocol": self.request_version,
            "host": self.headers.get("Host"),
            "sni": getattr(TLS, "sni", None) if tls else None,
            "alpn": self.connection.selected_alpn_protocol() if tls else None,
            "tlsVersion": self.connection.version() if tls else None,
            "bodyLength": length, "bodySha256": sha,
            "headers": [[k, v] for k, v in self.headers.items()],
        }
        emit("request", rec)
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        path = url.path.rstrip("/") or "/"
        if path == "/echo":
            self.send(200, "application/json", json.dumps(rec).encode())
        elif path == "/bytes":
            self.bytes(int(q.get("n", "1024")))
        elif path == "/lines":
            self.lines(int(q.get("n", "1024")), int(q.get("at", "-1")), q.get("data", "").encode())
        elif path == "/text":
            self.send(int(q.get("status", "200")), q.get("type", "text/plain; charset=utf-8"), q.get("body", "").encode())
        elif path == "/sse":
            self.sse(rec["seq"], int(q.get("n", "20")), int(q.get("delayMs", "100")), int(q.get("at", "0")), q.get("data"))
        else:
            self.send(404, "text/plain; charset=utf-8", b"not found\n")

    def send(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def bytes(self, n):
        digest = hashlib.sha256()
        for piece in pattern(n):
            digest.update(piece)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.send_header("X-Body-Sha256", digest.hexdigest())
        self.end_headers()
        for piece in pattern(n):
            self.wfile.write(piece)

    def lines(self, n, at, data):
        # n bytes of PROSE (repeated), with data written over it at byte offset at (if at >= 0).
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        pos = 0
        while pos < n:
            start = pos % len(PROSE)
            piece = PROSE[start:start + min(n - pos, len(PROSE) - start)]
            if at >= 0 and pos < at + len(data) and at < pos + len(piece):
                b = bytearray(piece)
                for i in range(max(at, pos), min(at + len(data), pos + len(piece))):
                    b[i - pos] = data[i - at]
                piece = bytes(b)
            self.wfile.write(piece)
            pos += len(piece)

    def sse(self, seq, n, delay_ms, at, data):
        # Chunked, one chunk per event, each written straight to the socket (wfile is unbuffered).
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(1, n + 1):
            if i > 1:
                time.sleep(delay_ms / 1000.0)
            text = data if (data is not None and i == at) else "event %d" % i
            event = ("data: %s\n\n" % text).encode()
            emit("sse", {"seq": seq, "index": i, "time": time.time()})
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, port, tls):
        self.tls = tls
        super().__init__(("::", port), Handler)

    def server_bind(self):
        # Dual stack: IPv4 clients arrive as ::ffff:a.b.c.d. TCPServer's bind, not HTTPServer's, which would
        # look up the FQDN (a DNS query from inside a namespace without DNS).
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "upstream", self.server_address[1]

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, on the connection's own thread, so a silent client cannot stall accept().
        if self.tls is not None:
            TLS.sni = None
            request.settimeout(30)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ValueError) as e:
                emit("tls-error", {"time": time.time(), "client": unmap(client_address[0]), "port": self.server_port, "error": str(e)})
                return
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            if self.tls is not None:
                try:
                    request.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                request.close()

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        sys.stderr.write("connection from %s: %r\n" % (client_address[0], e))


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CONFIG["cert"], CONFIG["key"])
    ctx.set_alpn_protocols(["http/1.1"])

    def on_sni(sock, name, _ctx):
        TLS.sni = name
    ctx.sni_callback = on_sni
    return ctx


servers = [Server(p, None) for p in CONFIG["http"]]
if CONFIG["https"]:
    context = tls_context()
    servers += [Server(p, context) for p in CONFIG["https"]]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
emit("ready", {"http": CONFIG["http"], "https": CONFIG["https"]})
threading.Event().wait()
""";
}
