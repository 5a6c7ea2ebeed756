using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.KitTests;

/// <summary>
/// The real clients reach a <see cref="RecordingUpstream"/> over HTTPS with only the <see cref="TestPki"/> CA to trust,
/// no proxy (the runner scrubs proxy variables), and the upstream records what arrived. Negative twins prove the
/// trust is real: without the CA the handshake fails and nothing is recorded.
/// </summary>
public sealed class DirectClientsTests : IAsyncLifetime
{
    private TestPki _pki = null!;
    private RecordingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _pki = TestPki.Create();
        _upstream = await RecordingUpstream.StartAsync(_pki.IssueServerCertificate("upstream.test", "localhost", "127.0.0.1"));
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _pki.Dispose();
    }

    private string Url(string pathAndQuery) => new Uri(_upstream.BaseUri, pathAndQuery).ToString();

    [Theory]
    [InlineData(RubyClient.NetHttp)]
    [InlineData(RubyClient.Faraday)]
    [InlineData(RubyClient.HttParty)]
    public async Task Ruby_client_gets_over_https_with_the_test_ca(RubyClient client)
    {
        var r = await RubyClients.RequestAsync(client, Url("/echo?from=" + client), caFile: _pki.CaPemPath);
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(200, r.Status);
        Assert.Null(r.Proxy);
        Assert.Equal("GET", JsonDocument.Parse(r.Body!).RootElement.GetProperty("method").GetString());
        var seen = Assert.Single(_upstream.Requests);
        Assert.Equal("/echo?from=" + client, seen.PathAndQuery);
        Assert.Equal("HTTP/1.1", seen.Protocol); // Ruby offers no ALPN
    }

    [Theory]
    [InlineData(RubyClient.NetHttp)]
    [InlineData(RubyClient.Faraday)]
    [InlineData(RubyClient.HttParty)]
    public async Task Ruby_client_posts_body_and_headers(RubyClient client)
    {
        var body = "{\"amount\":\"45.99\",\"client\":\"" + client + "\"}";
        var r = await RubyClients.RequestAsync(client, Url("/echo"), "POST", body,
            new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Test"] = "kit" }, _pki.CaPemPath);
        Assert.True(r.Succeeded, r.ToString());
        var seen = Assert.Single(_upstream.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.Equal(body, seen.BodyText);
        Assert.Equal("kit", seen.Header("X-Test"));
        Assert.Equal("application/json", seen.Header("Content-Type"));
    }

    [Theory]
    [InlineData(RubyClient.NetHttp)]
    [InlineData(RubyClient.Faraday)]
    public async Task Ruby_client_without_the_test_ca_fails_verification(RubyClient client)
    {
        var r = await RubyClients.RequestAsync(client, Url("/echo"), caFile: TestPki.SystemBundlePath);
        Assert.False(r.Succeeded, r.ToString());
        Assert.Contains("SSL", r.Error);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Net_http_decodes_a_gzip_response_it_asked_for()
    {
        _upstream.MapGzip("/zipped", "hello compressed world");
        var r = await RubyClients.RequestAsync(RubyClient.NetHttp, Url("/zipped"), caFile: _pki.CaPemPath);
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal("hello compressed world", r.Body);
        Assert.Contains("gzip", _upstream.Requests.Single().Header("Accept-Encoding"));
    }

    [Fact]
    public async Task Ruby_bundle_of_system_roots_plus_test_ca_works()
    {
        var bundle = _pki.WriteBundle();
        var r = await RubyClients.RequestAsync(RubyClient.NetHttp, Url("/echo"), caFile: bundle);
        Assert.True(r.Succeeded, r.ToString());
    }

    [Fact]
    public async Task Curl_reaches_the_upstream_by_ip_and_by_test_name_with_sni()
    {
        var byIp = await Curl.RequestAsync(Url("/echo"), new CurlRequest { CaFile = _pki.CaPemPath });
        Assert.True(byIp.ExitCode == 0 && byIp.HttpStatus == 200, byIp.ToString());
        Assert.Equal(0, byIp.ConnectStatus);

        var byName = await Curl.RequestAsync(_upstream.UriFor("upstream.test", "/echo?x=1").ToString(), new CurlRequest
        {
            CaFile = _pki.CaPemPath,
            Resolve = [$"upstream.test:{_upstream.Port}:127.0.0.1"],
            Method = "POST",
            Body = "payload",
            Headers = new Dictionary<string, string> { ["X-Test"] = "curl" },
            Http11 = true,
        });
        Assert.True(byName.ExitCode == 0 && byName.HttpStatus == 200, byName.ToString());
        Assert.Equal("application/json", byName.Headers["Content-Type"]);
        Assert.Equal(7, JsonDocument.Parse(byName.Body).RootElement.GetProperty("bodyLength").GetInt32());

        Assert.Equal(2, _upstream.Requests.Count);
        var named = _upstream.Requests[1];
        Assert.Equal("upstream.test", named.TlsServerName);
        Assert.Equal("payload", named.BodyText);
        Assert.Equal("curl", named.Header("X-Test"));
        Assert.Null(_upstream.Requests[0].TlsServerName); // no SNI for an IP literal
    }

    [Fact]
    public async Task Curl_without_the_test_ca_fails_with_exit_60()
    {
        var r = await Curl.RequestAsync(Url("/echo"), new CurlRequest { CaFile = TestPki.SystemBundlePath });
        Assert.Equal(60, r.ExitCode);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Curl_gets_gzip_bytes_unless_it_asks_to_decompress()
    {
        var raw = await Curl.RequestAsync(Url("/gzip?body=abc"), new CurlRequest { CaFile = _pki.CaPemPath });
        Assert.Equal([0x1f, 0x8b], raw.BodyBytes.Take(2));
        Assert.Equal("gzip", raw.Headers["Content-Encoding"]);
        var decoded = await Curl.RequestAsync(Url("/gzip?body=abc"), new CurlRequest { CaFile = _pki.CaPemPath, ExtraArgs = ["--compressed"] });
        Assert.Equal("abc", decoded.Body);
    }

    [Fact]
    public async Task Mapped_handler_answers_and_unknown_paths_are_404()
    {
        _upstream.Map("/teapot", 418, "short and stout");
        var tea = await Curl.RequestAsync(Url("/teapot"), new CurlRequest { CaFile = _pki.CaPemPath });
        Assert.Equal(418, tea.HttpStatus);
        Assert.Equal("short and stout", tea.Body);
        var missing = await Curl.RequestAsync(Url("/nothing-here"), new CurlRequest { CaFile = _pki.CaPemPath });
        Assert.Equal(404, missing.HttpStatus);
    }

    [Fact]
    public async Task Sse_events_reach_curl_incrementally()
    {
        // Ordering, not speed: event 1 must have been read by the client before event 5 was even produced
        // (200 ms apart, so about 800 ms of margin).
        var r = await Curl.StreamAsync(Url("/sse?n=10&delayMs=200"), new CurlRequest { CaFile = _pki.CaPemPath });
        Assert.True(r.ExitCode == 0 && r.HttpStatus == 200, r.ToString());
        var events = r.Lines.Where(l => l.Text.StartsWith("data: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"data: event {i}"), events.Select(e => e.Text));

        var stream = Assert.Single(_upstream.SseStreams);
        Assert.Equal(10, stream.EventWrittenAtUtc.Count);
        Assert.True(events[0].ReceivedAtUtc < stream.EventWrittenAtUtc[4],
            $"event 1 received {events[0].ReceivedAtUtc:HH:mm:ss.fff}, event 5 written {stream.EventWrittenAtUtc[4]:HH:mm:ss.fff}\n{r}");
    }
}
