using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Pipelock.Agent.Forward;

/// <summary>
/// The one HTTP client every proxied request leaves through. It never resolves names itself: each request carries
/// the addresses the URL scanner's SSRF layer checked (<see cref="CheckedAddresses"/>), and the connect callback
/// dials exactly those, which closes the check-then-resolve rebinding window. Upstream TLS is verified against the
/// system roots plus an optional extra CA file (<c>tls_interception.upstream_ca_file</c>). No proxy, no redirects,
/// no decompression, no cookies: the client sees the origin's bytes.
/// </summary>
public sealed class UpstreamClient : IDisposable
{
    /// <summary>Request option: the addresses the scanner checked for this request's host.</summary>
    public static readonly HttpRequestOptionsKey<IReadOnlyList<IPAddress>> CheckedAddresses = new("pipelock.addresses");

    private readonly X509Certificate2Collection _extraRoots;

    private readonly int? _socketMark;

    /// <param name="socketMark">SO_MARK set on every upstream socket (transparent interception: the rules skip marked
    /// sockets, so the agent's own connections are never recaptured).</param>
    public UpstreamClient(string? extraCaFile, TimeSpan connectTimeout, int? socketMark = null)
    {
        _socketMark = socketMark;
        _extraRoots = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(extraCaFile)) _extraRoots.ImportFromPemFile(extraCaFile);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // A response the proxy stops reading (a blocked event stream, a client gone mid-download) closes the
            // upstream connection at once instead of being drained (up to 1 MB / 2 s) for reuse: the origin sees the
            // cut and stops generating, and nothing nobody will see is read.
            MaxResponseDrainSize = 0,
            ActivityHeadersPropagator = null,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = Validate,
            },
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>Verifies an upstream certificate: the platform's verdict, or a chain to one of the extra roots.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || _extraRoots.Count == 0 || certificate is null) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var e in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(e.Certificate);
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = context.InitialRequestMessage.Options.TryGetValue(CheckedAddresses, out var a) ? a : null;
        if (addresses is null || addresses.Count == 0)
            throw new HttpRequestException(HttpRequestError.NameResolutionError, "no checked address for " + context.DnsEndPoint.Host);
        return await DialAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
    }

    /// <summary>Connects to the first address that answers (in order), with no name resolution; marked when configured.</summary>
    public Task<NetworkStream> DialAsync(IReadOnlyList<IPAddress> addresses, int port, CancellationToken ct) => DialAsync(addresses, port, _socketMark, ct);

    /// <summary>Connects to the first address that answers (in order), with no name resolution.</summary>
    public static async Task<NetworkStream> DialAsync(IReadOnlyList<IPAddress> addresses, int port, int? socketMark, CancellationToken ct)
    {
        Exception? last = null;
        foreach (var ip in addresses)
        {
            var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (socketMark is { } mark) Pipelock.Interceptor.Transparent.TransparentSockets.MarkUpstream(socket, mark);
                await socket.ConnectAsync(new IPEndPoint(ip, port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
                if (e is OperationCanceledException) throw;
            }
        }
        throw new HttpRequestException(HttpRequestError.ConnectionError, "could not connect to any checked address", last);
    }

    public void Dispose() => Invoker.Dispose();
}
