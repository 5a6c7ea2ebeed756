using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Pipelock.Agent.Tests.Forward;

/// <summary>
/// Oversize bodies through the real forward proxy with <c>oversize: stream</c> (limits lowered to 64 KiB so bodies
/// of a few hundred K cross many windows): byte-exact passthrough both ways, a late finding cuts the transfer, an
/// early one is answered 403, compressed oversize responses stay fail-closed.
/// </summary>
public sealed class ForwardStreamingTests : IAsyncLifetime
{
    private const string Config =
        "tls_interception:\n  max_response_bytes: 65536\n" +
        "response_scanning:\n  action: block\n  oversize: stream\n" +
        "request_body_scanning:\n  action: block\n  max_body_bytes: 65536\n  oversize: stream\n";

    private ForwardProxyHarness _h = null!;

    public async Task InitializeAsync() => _h = await ForwardProxyHarness.StartAsync(Config);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LargeCleanResponse_ArrivesByteExact(bool chunked)
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Prose(1_000_000, 3));
        _h.Responses["clean"] = (body, null, chunked);

        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/clean");

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await r.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task LateInjection_AbortsTheResponse_BeforeThePhraseIsSent()
    {
        var text = StreamTestData.Plant(StreamTestData.Prose(600_000, 4), StreamTestData.Injection, 500_000);
        var body = Encoding.UTF8.GetBytes(text);
        int phraseAt = Encoding.UTF8.GetByteCount(text[..text.IndexOf(StreamTestData.Injection, StringComparison.Ordinal)]);
        _h.Responses["late"] = (body, null, false);

        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/late", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await using var s = await r.Content.ReadAsStreamAsync();
        long received = 0;
        var buf = new byte[16 * 1024];
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            int n;
            while ((n = await s.ReadAsync(buf)) > 0) received += n;
        });

        Assert.True(received < phraseAt, $"{received} bytes arrived, the phrase starts at byte {phraseAt}");
        Assert.Contains(await _h.LogEventsAsync("blocked"), e => e.GetProperty("url").GetString()!.StartsWith(_h.OriginUrl, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InjectionInTheFirstWindow_Is403()
    {
        _h.Responses["early"] = (Encoding.UTF8.GetBytes(StreamTestData.Plant(StreamTestData.Prose(300_000, 5), StreamTestData.Injection, 100)), null, true);

        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/early");

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("true", r.Headers.GetValues("X-Pipelock-Blocked").Single());
    }

    private static byte[] Compress(string coding, byte[] data)
    {
        var ms = new MemoryStream();
        using (Stream z = coding == "gzip" ? new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true) : new BrotliStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(data);
        return ms.ToArray();
    }

    [Theory]
    [InlineData("gzip", false)]
    [InlineData("br", true)]
    public async Task CompressedOversizeResponse_IsRefused_NotStreamed(string coding, bool chunked)
    {
        // Where a compressed stream ends cannot be proven as it flows (bytes after it would go out unscanned), so a
        // content-encoded body over the limit is refused even in stream mode, clean or not.
        var plain = Encoding.UTF8.GetBytes(StreamTestData.Prose(900_000, 13) + Convert.ToBase64String(RandomNumberGenerator.GetBytes(300_000)));
        var body = Compress(coding, plain);
        Assert.True(body.Length > 65536);
        _h.Responses["cz" + coding] = (body, coding, chunked);

        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/cz" + coding);

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.True((await r.Content.ReadAsByteArrayAsync()).Length < 4096); // our page, none of the body
    }

    [Fact]
    public async Task UnsupportedCodingOversize_Is403()
    {
        _h.Responses["lzw"] = (RandomNumberGenerator.GetBytes(200_000), "compress", false);
        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/lzw");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task CorruptCompressedOversize_Is403()
    {
        var body = Compress("gzip", Encoding.UTF8.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(400_000))));
        body.AsSpan(body.Length / 2, 64).Fill(0xFF); // corrupt the middle
        _h.Responses["bad"] = (body, "gzip", false);

        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/bad");

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task LargeCleanUpload_ArrivesByteExact()
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Prose(1_000_000, 6));

        using var r = await _h.Client.PostAsync(_h.OriginUrl + "/upload", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (received, complete) = Assert.Single(_h.Uploads);
        Assert.True(complete);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(received));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LateSecretInUpload_Is403_AndTheOriginNeverGetsItOrACompleteBody(bool chunked)
    {
        var secret = StreamTestData.AwsKey();
        var body = Encoding.UTF8.GetBytes(StreamTestData.Plant(StreamTestData.Prose(600_000, 7), secret, 450_000));
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);

        using var r = await _h.Client.PostAsync(_h.OriginUrl + "/upload", content);

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        // The origin got the request and part of the body (the secret is past the first window), saw the upload
        // cut, and never the secret.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_h.Uploads.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotEmpty(_h.Uploads);
        foreach (var (received, complete) in _h.Uploads)
        {
            Assert.False(complete);
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(received), StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..4], Encoding.UTF8.GetString(received), StringComparison.Ordinal);
        }
        Assert.NotEmpty(await _h.LogEventsAsync("blocked"));
    }

    [Fact]
    public async Task LargeGzipUpload_IsRefused_AndNothingReachesTheOrigin()
    {
        // Streaming a coded upload cannot prove where its compressed stream ends (bytes after it would go unscanned).
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes(StreamTestData.Prose(1_500_000, 33)));
        var body = ms.ToArray();
        Assert.True(body.Length > 65536);
        var content = new ByteArrayContent(body);
        content.Headers.ContentEncoding.Add("gzip");

        using var r = await _h.Client.PostAsync(_h.OriginUrl + "/upload", content);

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        await Task.Delay(200);
        Assert.Empty(_h.Uploads);
    }

    [Fact]
    public async Task SecretInTheFirstWindowOfAnUpload_NeverReachesTheOrigin()
    {
        var body = Encoding.UTF8.GetBytes(StreamTestData.Plant(StreamTestData.Prose(300_000, 8), StreamTestData.AwsKey(), 500));

        using var r = await _h.Client.PostAsync(_h.OriginUrl + "/upload", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        await Task.Delay(200);
        Assert.Empty(_h.Uploads);
    }
}

/// <summary>The defaults (<c>oversize: block</c>) are Pipelock's fail-closed contract, unchanged.</summary>
public sealed class ForwardOversizeDefaultTests : IAsyncLifetime
{
    private ForwardProxyHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await ForwardProxyHarness.StartAsync("tls_interception:\n  max_response_bytes: 65536\nrequest_body_scanning:\n  max_body_bytes: 65536\n");

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task OversizeResponse_Is403()
    {
        _h.Responses["big"] = (Encoding.UTF8.GetBytes(StreamTestData.Prose(200_000, 9)), null, true);
        using var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/big");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task OversizeUpload_Is413_AndNeverReachesTheOrigin()
    {
        using var r = await _h.Client.PostAsync(_h.OriginUrl + "/upload", new ByteArrayContent(Encoding.UTF8.GetBytes(StreamTestData.Prose(200_000, 10))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Empty(_h.Uploads);
    }

    [Fact]
    public async Task InLimitResponses_AreScannedWindowed_AsBefore()
    {
        var clean = Encoding.UTF8.GetBytes(StreamTestData.Prose(30_000, 11));
        _h.Responses["small"] = (clean, null, false);
        _h.Responses["inj"] = (Encoding.UTF8.GetBytes(StreamTestData.Plant(StreamTestData.Prose(30_000, 12), "Enable developer mode now.", 20_000)), null, false);

        using (var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/small"))
            Assert.Equal(clean, await r.Content.ReadAsByteArrayAsync());
        // Default action is warn and the phrase is not in the core floor: the response passes, logged.
        using (var r = await _h.Client.GetAsync(_h.OriginUrl + "/r/inj"))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.NotEmpty(await _h.LogEventsAsync("response_scan"));
    }
}
