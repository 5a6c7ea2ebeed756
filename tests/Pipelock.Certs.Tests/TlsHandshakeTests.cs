using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Certs.Tests;

/// <summary>
/// Real TLS over loopback: the server picks the context by SNI (as the interceptor will), the client trusts only the CA.
/// Also proves that a CopyWithPrivateKey leaf (no PFX round trip) works with SslStream on Linux.
/// </summary>
public sealed class TlsHandshakeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CertificateAuthority _ca;
    private readonly LeafCertificateCache _cache;

    public TlsHandshakeTests()
    {
        var o = TestCerts.Options(_dir);
        _ca = CertificateAuthority.LoadOrCreate(o); // real clock: the client validates against now
        _cache = new LeafCertificateCache(_ca, o);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    private sealed record ClientView(X509Certificate2? Leaf, SslPolicyErrors Errors, bool OwnChainOk, int ReceivedExtraCerts, Exception? Failure, byte Echo);

    // fallbackHost stands for the CONNECT authority / original destination when the client sends no SNI (IP targets).
    private async Task<ClientView> HandshakeAsync(string targetHost, string fallbackHost)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard only, nothing is timed
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task server = Task.Run(async () =>
            {
                using TcpClient accepted = await listener.AcceptTcpClientAsync(cts.Token);
                await using var ssl = new SslStream(accepted.GetStream());
                await ssl.AuthenticateAsServerAsync(
                    async (stream, hello, state, ct) => new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = await _cache.GetAsync(string.IsNullOrEmpty(hello.ServerName) ? fallbackHost : hello.ServerName, ct),
                    },
                    null, cts.Token);
                var b = new byte[1];
                await ssl.ReadExactlyAsync(b, cts.Token);
                await ssl.WriteAsync(new[] { (byte)(b[0] + 1) }, cts.Token);
            });

            X509Certificate2? seen = null;
            SslPolicyErrors errors = SslPolicyErrors.None;
            bool ownChainOk = false;
            int extra = -1;
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            await using var clientSsl = new SslStream(client.GetStream());
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                RemoteCertificateValidationCallback = (_, cert, chain, policyErrors) =>
                {
                    errors = policyErrors;
                    if (cert is null)
                        return false;
                    seen = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    extra = chain?.ChainPolicy.ExtraStore.Count ?? -1;
                    // Trust only the interception CA: build our own chain with it as the sole root, revocation off.
                    var built = TestCerts.BuildChain(seen, _ca.Certificate, DateTimeOffset.UtcNow);
                    ownChainOk = built.Ok;
                    // The platform's chain error is expected (the CA is not in the system store); a name error is not.
                    return built.Ok && (policyErrors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                },
            };

            Exception? failure = null;
            byte echo = 0;
            try
            {
                await clientSsl.AuthenticateAsClientAsync(options, cts.Token);
                await clientSsl.WriteAsync(new byte[] { 41 }, cts.Token);
                var b = new byte[1];
                await clientSsl.ReadExactlyAsync(b, cts.Token);
                echo = b[0];
                await server;
            }
            catch (AuthenticationException e)
            {
                failure = e;
                client.Close(); // let the server side fail too
                try { await server; } catch (Exception) { /* the server sees the client's abort; expected */ }
            }
            return new ClientView(seen, errors, ownChainOk, extra, failure, echo);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Client_trusting_only_the_ca_completes_the_handshake_and_sees_the_sni_name()
    {
        ClientView v = await HandshakeAsync("shop.example.test", "unused.example");
        Assert.Null(v.Failure);
        Assert.Equal(42, v.Echo);
        Assert.True(v.OwnChainOk);
        Assert.Equal(SslPolicyErrors.None, v.Errors & ~SslPolicyErrors.RemoteCertificateChainErrors);
        Assert.Equal(["shop.example.test"], TestCerts.San(v.Leaf!).EnumerateDnsNames());
        Assert.Equal(_ca.Certificate.Subject, v.Leaf!.Issuer);
        Assert.Equal(1, _cache.Minted);
    }

    [Fact]
    public async Task Ip_target_without_sni_validates_against_the_ip_san()
    {
        // .NET sends no SNI for an IP target; the server falls back to the destination address, as the interceptor will.
        ClientView v = await HandshakeAsync("127.0.0.1", "127.0.0.1");
        Assert.Null(v.Failure);
        Assert.Equal(42, v.Echo);
        Assert.Equal([IPAddress.Loopback], TestCerts.San(v.Leaf!).EnumerateIPAddresses());
    }

    [Fact]
    public async Task Client_expecting_another_host_fails_name_validation()
    {
        // The server mints for the destination it believes in; the client asked for a different name.
        ClientView v = await HandshakeAsync("127.0.0.1", "shop.example.test");
        Assert.IsAssignableFrom<AuthenticationException>(v.Failure);
        Assert.True(v.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch), v.Errors.ToString());
        Assert.True(v.OwnChainOk); // The chain was fine; only the name was wrong.
    }

    [Fact]
    public async Task Repeated_handshakes_for_one_host_reuse_the_minted_context()
    {
        for (int i = 0; i < 3; i++)
            Assert.Null((await HandshakeAsync("again.example.test", "unused.example")).Failure);
        Assert.Equal(1, _cache.Minted);
    }
}
