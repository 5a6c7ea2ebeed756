using System.Buffers;
using System.IO.Compression;
using Pipelock.Scanners.Body;
using Pipelock.Scanners.Tests.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Body;

public sealed class RequestBodyScannerTests
{
    private static RequestBodyScanner Scanner(BodyOptions? o = null, FakeDlpScanner? dlp = null) => new(o ?? BodyOptions.Default, dlp ?? new FakeDlpScanner());

    private static Verdict Scan(string? contentType, string body, string? encoding = null, BodyOptions? o = null) =>
        Scanner(o).ScanBody(contentType, encoding, System.Text.Encoding.UTF8.GetBytes(body).AsMemory(), "api.example.com");

    private static void AssertDlp(Verdict v, ScanAction action = ScanAction.Warn)
    {
        Assert.Contains(v.Findings, f => f.Scanner == ScannerNames.BodyDlp && f.Action == action);
        Assert.DoesNotContain(v.Findings, f => f.Scanner == ScannerNames.BodyParse);
    }

    private static void AssertFailClosed(Verdict v)
    {
        var f = Assert.Single(v.Findings);
        Assert.Equal(ScannerNames.BodyParse, f.Scanner);
        Assert.Equal(ScanAction.Block, f.Action);
        Assert.True(DecisionPolicy.Decide(v, enforce: false).Blocked);
    }

    [Fact]
    public void ScanBody_JsonValue_BodyDlpWarn() => AssertDlp(Scan("application/json", $$$"""{"a":{"b":["x","{{{TestSecrets.Aws()}}}"]}}"""));

    [Fact]
    public void ScanBody_JsonKey_BodyDlp() => AssertDlp(Scan("application/json; charset=utf-8", $$"""{"{{TestSecrets.GitHub()}}":1}"""));

    [Fact]
    public void ScanBody_JsonUnicodeEscapedSecret_FoundAfterParsing()
    {
        var key = TestSecrets.Anthropic();
        AssertDlp(Scan("application/json", $$"""{"k":"\u0073{{key[1..]}}"}"""));
    }

    [Fact]
    public void ScanBody_ActionBlock_FindingsBlock() =>
        AssertDlp(Scan("application/json", $$"""{"k":"{{TestSecrets.Aws()}}"}""", o: BodyOptions.Default with { Action = ScanAction.Block }), ScanAction.Block);

    [Fact]
    public void ScanBody_SecretSplitAcrossJsonFields_JoinedScan()
    {
        var key = TestSecrets.Aws();
        var v = Scan("application/json", $$"""{"a":"{{key[..10]}}","b":"{{key[10..]}}"}""");
        Assert.Contains(v.Findings, f => f.Scanner == ScannerNames.BodyDlp && f.Location == "joined");
    }

    [Fact]
    public void ScanBody_Form_KeyAndValue()
    {
        AssertDlp(Scan("application/x-www-form-urlencoded", $"user=bob&token={Uri.EscapeDataString(TestSecrets.OpenAiProject())}"));
        AssertDlp(Scan("application/x-www-form-urlencoded", $"{TestSecrets.Aws()}=1"));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "a=%zz")]
    [InlineData("application/x-www-form-urlencoded", "a=1;b=2")]
    [InlineData("application/json", "{\"a\":")]
    [InlineData("application/json", "{\"a\":1} trailing")]
    [InlineData("multipart/form-data", "--x\r\n\r\nhi\r\n--x--")]
    [InlineData("multipart/form-data; boundary=x", "no delimiter here")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated")]
    public void ScanBody_Malformed_FailsClosed(string contentType, string body) => AssertFailClosed(Scan(contentType, body));

    [Fact]
    public void ScanBody_JsonTooDeep_FailsClosed() => AssertFailClosed(Scan("application/json", new string('[', 100) + new string(']', 100)));

    private static string Multipart(string boundary, params string[] parts) =>
        string.Concat(parts.Select(p => $"--{boundary}\r\n{p}\r\n")) + $"--{boundary}--\r\n";

    [Fact]
    public void ScanBody_MultipartBody_Dlp() =>
        AssertDlp(Scan("multipart/form-data; boundary=XyZ", Multipart("XyZ", $"Content-Disposition: form-data; name=\"f\"\r\n\r\n{TestSecrets.Aws()}")));

    [Fact]
    public void ScanBody_MultipartFilename_Dlp() =>
        AssertDlp(Scan("multipart/form-data; boundary=\"b 1\"", Multipart("b 1", $"Content-Disposition: form-data; name=\"f\"; filename=\"{TestSecrets.GitHub()}.txt\"\r\n\r\nhello")));

    [Fact]
    public void ScanBody_MultipartCustomPartHeader_Dlp() =>
        AssertDlp(Scan("multipart/form-data; boundary=b", Multipart("b", $"Content-Disposition: form-data; name=\"f\"\r\nX-Meta: {TestSecrets.Anthropic()}\r\n\r\nhello")));

    [Fact]
    public void ScanBody_MultipartCteBase64_Decoded()
    {
        var b64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("note: " + TestSecrets.Aws()));
        AssertDlp(Scan("multipart/form-data; boundary=b", Multipart("b", $"Content-Disposition: form-data; name=\"f\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64[..20]}\r\n{b64[20..]}")));
    }

    [Fact]
    public void ScanBody_MultipartCteQuotedPrintable_Decoded()
    {
        var key = TestSecrets.Aws();
        var qp = "=" + ((int)key[0]).ToString("X2") + key[1..8] + "=\r\n" + key[8..];
        AssertDlp(Scan("multipart/form-data; boundary=b", Multipart("b", $"Content-Disposition: form-data; name=\"f\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{qp}")));
    }

    [Fact]
    public void ScanBody_TooManyParts_FailsClosed()
    {
        var parts = Enumerable.Range(0, 101).Select(i => $"Content-Disposition: form-data; name=\"p{i}\"\r\n\r\nv").ToArray();
        AssertFailClosed(Scan("multipart/form-data; boundary=b", Multipart("b", parts)));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    [InlineData("application/octet-stream")]
    public void ScanBody_JsonLabelledOtherwise_StillParsed(string? contentType)
    {
        // The \u escape hides the prefix from a raw-text scan; only parsing the JSON reveals it.
        var key = TestSecrets.Anthropic();
        AssertDlp(Scan(contentType, $$"""{"k":"\u0073{{key[1..]}}"}"""));
    }

    [Fact]
    public void ScanBody_XmlRaw_Dlp() => AssertDlp(Scan("application/xml", $"<a><k>{TestSecrets.Aws()}</k></a>"));

    [Fact]
    public void ScanBody_CleanJson_Clean() => Assert.True(Scan("application/json", """{"model":"x","messages":[{"role":"user","content":"hello there"}]}""").IsClean);

    public static TheoryData<string> Encodings() => new() { "gzip", "deflate", "deflate-raw", "br", "gzip, br" };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ScanBody_CompressedBody_Decoded(string encoding)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"k":"{{TestSecrets.Aws()}}"}""");
        byte[] data = body;
        foreach (var e in encoding.Split(", ")) data = Compress(e, data);
        var header = encoding == "deflate-raw" ? "deflate" : encoding;
        AssertDlp(Scanner().ScanBody("application/json", header, data.AsMemory(), null));
    }

    private static byte[] Compress(string encoding, byte[] data)
    {
        using var ms = new MemoryStream();
        using (Stream s = encoding switch
        {
            "gzip" => new GZipStream(ms, CompressionLevel.Fastest, true),
            "deflate" => new ZLibStream(ms, CompressionLevel.Fastest, true),
            "deflate-raw" => new DeflateStream(ms, CompressionLevel.Fastest, true),
            _ => new BrotliStream(ms, CompressionLevel.Fastest, true),
        })
            s.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void ScanBody_DecompressionBomb_FailsClosed()
    {
        var bomb = Compress("gzip", new byte[64 * 1024 * 1024]);
        Assert.True(bomb.Length < 1024 * 1024);
        AssertFailClosed(Scanner().ScanBody("application/json", "gzip", bomb.AsMemory(), null));
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("zstd")]
    [InlineData("gzip, gzip, gzip, gzip, gzip")]
    public void ScanBody_UnsupportedEncoding_FailsClosed(string encoding) =>
        AssertFailClosed(Scanner().ScanBody("text/plain", encoding, Compress("gzip", [1, 2, 3]).AsMemory(), null));

    [Fact]
    public void ScanBody_CorruptGzip_FailsClosed() =>
        AssertFailClosed(Scanner().ScanBody("text/plain", "gzip", new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3 }.AsMemory(), null));

    [Fact]
    public void ScanBody_Oversize_FailsClosed()
    {
        var o = BodyOptions.Default with { MaxBodyBytes = 1024 };
        AssertFailClosed(Scanner(o).ScanBody("text/plain", null, new byte[2048].AsMemory(), null));
    }

    [Fact]
    public void ScanBody_MultiSegmentSequence_Scanned()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes($"prefix {TestSecrets.Aws()} suffix");
        var first = new Segment(bytes.AsMemory(0, 10));
        var last = first.Append(bytes.AsMemory(10));
        var seq = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        AssertDlp(Scanner().ScanBody("text/plain", null, seq, null));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> m) => Memory = m;

        public Segment Append(ReadOnlyMemory<byte> m)
        {
            var s = new Segment(m) { RunningIndex = RunningIndex + Memory.Length };
            Next = s;
            return s;
        }
    }

    [Fact]
    public void ScanBody_Disabled_Clean() =>
        Assert.True(Scan("text/plain", TestSecrets.Aws(), o: BodyOptions.Default with { Enabled = false }).IsClean);

    [Fact]
    public void Ctor_InvalidAction_Throws() =>
        Assert.Throws<ArgumentException>(() => Scanner(BodyOptions.Default with { Action = ScanAction.Strip }));
}
