using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.KitTests;

/// <summary>
/// The client helpers' proxy wiring, checked against a bare CONNECT tunnel of the test's own (no inspection) that
/// maps every name to 127.0.0.1: each client sends CONNECT for the variable Sure's compose sets for it, and
/// Net::HTTP ignores HTTPS_PROXY. This is what the agent's forward-proxy tests will rely on.
/// </summary>
public sealed class ProxiedClientsTests : IAsyncLifetime
{
    private TestPki _pki = null!;
    private RecordingUpstream _upstream = null!;
    private TunnelProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _pki = TestPki.Create();
        _upstream = await RecordingUpstream.StartAsync(_pki.IssueServerCertificate("upstream.test"));
        _proxy = TunnelProxy.Start();
    }

    public async Task DisposeAsync()
    {
        _proxy.Dispose();
        await _upstream.DisposeAsync();
        _pki.Dispose();
    }

    // upstream.test does not resolve locally, so Ruby's find_proxy keeps the proxy (it drops it for 127.x/::1).
    private string Url => _upstream.UriFor("upstream.test", "/echo").ToString();

    [Theory]
    [InlineData(RubyClient.NetHttp)]
    [InlineData(RubyClient.Faraday)]
    [InlineData(RubyClient.HttParty)]
    public async Task Ruby_client_tunnels_through_the_proxy_variable_it_honours(RubyClient client)
    {
        var r = await RubyClients.RequestAsync(client, Url, caFile: _pki.CaPemPath, proxy: _proxy.Uri);
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal($"127.0.0.1:{_proxy.Port}", r.Proxy);
        Assert.Equal($"CONNECT upstream.test:{_upstream.Port} HTTP/1.1", Assert.Single(_proxy.ConnectLines.Snapshot()));
        Assert.Equal("upstream.test", Assert.Single(_upstream.Requests).TlsServerName);
    }

    [Fact]
    public async Task Net_http_ignores_https_proxy()
    {
        var r = await RubyClients.RequestAsync(RubyClient.NetHttp, Url, caFile: _pki.CaPemPath,
            env: new Dictionary<string, string> { ["HTTPS_PROXY"] = _proxy.Uri.ToString() });
        Assert.False(r.Succeeded, r.ToString()); // went direct, and upstream.test does not resolve
        Assert.Null(r.Proxy);
        Assert.Empty(_proxy.ConnectLines.Snapshot());
    }

    [Fact]
    public async Task Curl_tunnels_and_reports_the_connect_status()
    {
        var r = await Curl.RequestAsync(Url, new CurlRequest { Proxy = _proxy.Uri, CaFile = _pki.CaPemPath });
        Assert.True(r.ExitCode == 0 && r.HttpStatus == 200, r.ToString());
        Assert.Equal(200, r.ConnectStatus);
        Assert.Single(_proxy.ConnectLines.Snapshot());
    }

    /// <summary>Minimal CONNECT-only proxy: any host → 127.0.0.1:port, bytes piped both ways.</summary>
    private sealed class TunnelProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public RecordList<string> ConnectLines { get; } = new();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Uri Uri => new($"http://127.0.0.1:{Port}");

        public static TunnelProxy Start()
        {
            var p = new TunnelProxy();
            p._listener.Start();
            _ = p.AcceptLoopAsync();
            return p;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            try
            {
                while (true) _ = ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = await ReadHeadAsync(stream);
                    var requestLine = head.Split("\r\n")[0];
                    ConnectLines.Add(requestLine);
                    var parts = requestLine.Split(' ');
                    if (parts.Length != 3 || parts[0] != "CONNECT")
                    {
                        await stream.WriteAsync("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
                        return;
                    }
                    var port = int.Parse(parts[1][(parts[1].LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                    using var upstream = new TcpClient();
                    await upstream.ConnectAsync(IPAddress.Loopback, port);
                    await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray());
                    var up = upstream.GetStream();
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    cts.CancelAfter(TimeSpan.FromSeconds(60));
                    var a = stream.CopyToAsync(up, cts.Token);
                    var b = up.CopyToAsync(stream, cts.Token);
                    await Task.WhenAny(a, b);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException) { }
            }
        }

        private static async Task<string> ReadHeadAsync(NetworkStream stream)
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && sb.Length < 8192)
            {
                if (await stream.ReadAsync(one) == 0) break;
                sb.Append((char)one[0]);
            }
            return sb.ToString();
        }
    }
}
