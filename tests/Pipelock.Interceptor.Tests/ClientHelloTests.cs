using System.Buffers;
using System.Net.Security;
using Pipelock.Interceptor.Tls;

namespace Pipelock.Interceptor.Tests;

public class ClientHelloTests
{
    /// <summary>A real ClientHello: what .NET's SslStream (OpenSSL) writes first as a client.</summary>
    private static async Task<byte[]> CaptureHelloAsync(string targetHost, params string[] alpn)
    {
        var capture = new CaptureStream();
        using var ssl = new SslStream(capture, leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        };
        if (alpn.Length > 0) options.ApplicationProtocols = [.. alpn.Select(a => new SslApplicationProtocol(a))];
        var handshake = ssl.AuthenticateAsClientAsync(options);
        var hello = await capture.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));
        capture.Fail();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return hello;
    }

    [Theory]
    [InlineData("api.example.test", "api.example.test")]
    [InlineData("API.Example.Test", "api.example.test")]
    public async Task RealClientHello_ServerNameRead(string target, string expected)
    {
        var bytes = await CaptureHelloAsync(target, "h2", "http/1.1");

        var status = ClientHello.TryParse(new ReadOnlySequence<byte>(bytes), out var hello);

        Assert.Equal(ClientHelloStatus.Complete, status);
        Assert.Equal(expected, hello!.ServerName);
        Assert.Equal(["h2", "http/1.1"], hello.Alpn);
    }

    [Fact]
    public async Task IpTarget_NoServerName()
    {
        var bytes = await CaptureHelloAsync("127.0.0.1");

        Assert.Equal(ClientHelloStatus.Complete, ClientHello.TryParse(new ReadOnlySequence<byte>(bytes), out var hello));
        Assert.Null(hello!.ServerName);
        Assert.Empty(hello.Alpn);
    }

    [Fact]
    public async Task EveryTruncation_NeedsMore_NeverMisparses()
    {
        var bytes = await CaptureHelloAsync("api.example.test");

        for (int n = 1; n < bytes.Length; n++)
            Assert.Equal(ClientHelloStatus.NeedMore, ClientHello.TryParse(new ReadOnlySequence<byte>(bytes, 0, n), out _));
    }

    [Fact]
    public async Task HelloSplitOverTwoRecords_Reassembled()
    {
        var bytes = await CaptureHelloAsync("split.example.test");
        var body = bytes.AsSpan(5).ToArray();
        int half = body.Length / 2;
        byte[] Record(ReadOnlySpan<byte> payload) => [0x16, bytes[1], bytes[2], (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
        var split = Record(body.AsSpan(0, half)).Concat(Record(body.AsSpan(half))).ToArray();

        Assert.Equal(ClientHelloStatus.Complete, ClientHello.TryParse(new ReadOnlySequence<byte>(split), out var hello));
        Assert.Equal("split.example.test", hello!.ServerName);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00")]   // handshake record holding a ServerHello, not a ClientHello
    [InlineData("\x16\x09\x01\x00\x05\x01\x00\x00\x01\x00")]   // not TLS major version 3
    public void NotAClientHello_NotTls(string text)
    {
        var bytes = text.Select(c => (byte)c).ToArray();

        Assert.Equal(ClientHelloStatus.NotTls, ClientHello.TryParse(new ReadOnlySequence<byte>(bytes), out var hello));
        Assert.Null(hello);
    }

    [Fact]
    public void OversizeHandshakeLength_NotTls()
    {
        byte[] bytes = [0x16, 3, 1, 0, 4, 0x01, 0x7f, 0xff, 0xff];

        Assert.Equal(ClientHelloStatus.NotTls, ClientHello.TryParse(new ReadOnlySequence<byte>(bytes), out _));
    }

    /// <summary>Captures the first write; reads block until <see cref="Fail"/> makes them throw.</summary>
    private sealed class CaptureStream : Stream
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<byte[]> FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Fail() => _failed.TrySetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("closed");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _failed.Task.WaitAsync(cancellationToken);
            throw new IOException("closed");
        }
        public override void Write(byte[] buffer, int offset, int count) => FirstWrite.TrySetResult(buffer.AsSpan(offset, count).ToArray());
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            FirstWrite.TrySetResult(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
