using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Pipelock.Agent.Hosting;
using Pipelock.Interceptor.Relay;

namespace Pipelock.Agent.Forward;

/// <summary>How a client's side of a bump ended before any HTTP.</summary>
public enum BumpFailure
{
    None,
    /// <summary>The client refused our certificate (TLS alert: unknown CA, bad certificate ...): a pinned client.</summary>
    CertificateRejected,
    /// <summary>
    /// The client closed or reset the connection mid-handshake, after a valid ClientHello. A pinned client's "unknown
    /// CA" alert is often followed by a RST (it leaves our unread records behind), and Kestrel's socket pipe then
    /// surfaces the reset instead of the alert bytes it had already received, so this is usually a rejection whose
    /// alert we could not read (mitmproxy's ConservativeStrategy counts any failed client handshake).
    /// </summary>
    ClientAbandoned,
    /// <summary>Anything else: handshake timeout, not really TLS, our own failure.</summary>
    Other,
}

/// <summary>
/// The bump layer shared by CONNECT tunnels and transparent flows: terminate the client's TLS with a leaf for the
/// name it asked for (or the original IP), then hand the decrypted pipe back to Kestrel's HTTP/1.1 layer with a
/// <see cref="TunnelTarget"/> saying where its requests go. The kill switch (and an optional maximum age) abort the
/// whole connection, requests in flight included.
/// </summary>
public sealed class TlsBumpLayer
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);
    private readonly ProxyServices _s;

    public TlsBumpLayer(ProxyServices services) => _s = services;

    public async Task<BumpFailure> ServeAsync(ConnectionContext ctx, string leafName, TunnelTarget target, string requestId, string clientIp, ConnectionDelegate next, TimeSpan? maxAge)
    {
        var tls = _s.Tls!;
        var started = Stopwatch.GetTimestamp();
        // Minting comes first and outside the handshake's error handling: a client gone while we mint never saw our
        // certificate, so it must not count as one that rejected it (auto-passthrough).
        SslStreamCertificateContext leaf;
        try
        {
            leaf = await tls.LeafFor(leafName, ctx.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ArgumentException or InvalidOperationException
            or System.Security.Cryptography.CryptographicException)
        {
            if (e is not OperationCanceledException)
                _s.Log.Event("warn", "error", ("target", target.Authority), ("client_ip", clientIp), ("request_id", requestId),
                    ("error", "could not mint a certificate for the client"), ("detail", Detail(e)));
            return BumpFailure.Other;
        }
        _s.Metrics.CertCacheSize.Set(tls.CacheSize());
        var ssl = new SslStream(new DuplexPipeStream(ctx.Transport), leaveInnerStreamOpen: true);
        try
        {
            using var hs = CancellationTokenSource.CreateLinkedTokenSource(ctx.ConnectionClosed);
            hs.CancelAfter(HandshakeTimeout);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = leaf,
                // Sure's Ruby clients send no ALPN; answering HTTP/1.1 keeps one HTTP layer for every client, and both
                // legs then speak the same protocol (reference pitfall 8).
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            }, hs.Token).ConfigureAwait(false);
            _s.Metrics.TlsIntercept.WithLabels("bumped").Inc();
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ArgumentException or InvalidOperationException)
        {
            var failure = Classify(e, ctx.ConnectionClosed.IsCancellationRequested);
            _s.Metrics.TlsIntercept.WithLabels(failure switch
            {
                BumpFailure.CertificateRejected => "client_rejected_cert",
                BumpFailure.ClientAbandoned => "client_abandoned_handshake",
                _ => "handshake_error",
            }).Inc();
            _s.Log.Event("warn", "error", ("target", target.Authority), ("client_ip", clientIp), ("request_id", requestId),
                ("error", failure switch
                {
                    BumpFailure.CertificateRejected => "client rejected our certificate",
                    BumpFailure.ClientAbandoned => "client closed the connection during the TLS handshake",
                    _ => "client TLS handshake failed",
                }), ("detail", Detail(e)));
            await ssl.DisposeAsync().ConfigureAwait(false);
            return failure;
        }
        _s.Log.Event("info", "tls_intercept", ("target", target.Authority), ("client_ip", clientIp), ("request_id", requestId),
            ("handshake_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds), ("transparent", target.Transparent));

        var original = ctx.Transport;
        ctx.Features.Set(target);
        ctx.Transport = new StreamDuplexPipe(ssl);
        using var killed = _s.AbortOnKillSwitch(ctx);
        using var age = maxAge is { } m ? new CancellationTokenSource(m) : null;
        using var expired = age?.Token.Register(static c => ((ConnectionContext)c!).Abort(new ConnectionAbortedException("maximum connection age")), ctx);
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        finally
        {
            ctx.Transport = original;
            await ssl.DisposeAsync().ConfigureAwait(false);
        }
        return BumpFailure.None;
    }

    /// <summary>
    /// Why a client handshake failed. A handshake timeout is never a rejection (a slow or idle client); a reset or an
    /// EOF is, unless it came with an alert we can name.
    /// </summary>
    internal static BumpFailure Classify(Exception e, bool connectionClosed)
    {
        if (ClientRejectedCertificate(e)) return BumpFailure.CertificateRejected;
        if (e is OperationCanceledException) return connectionClosed ? BumpFailure.ClientAbandoned : BumpFailure.Other;
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is ConnectionResetException
                || x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.ConnectionAborted }
                || x.Message.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase))
                return BumpFailure.ClientAbandoned;
        }
        return BumpFailure.Other;
    }

    /// <summary>OpenSSL's text for the alerts a verifying client sends when it does not trust our leaf.</summary>
    internal static bool ClientRejectedCertificate(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            var m = x.Message;
            if (m.Contains("alert unknown ca", StringComparison.OrdinalIgnoreCase)
                || m.Contains("alert bad certificate", StringComparison.OrdinalIgnoreCase)
                || m.Contains("alert certificate unknown", StringComparison.OrdinalIgnoreCase)
                || m.Contains("alert unsupported certificate", StringComparison.OrdinalIgnoreCase)
                || m.Contains("alert certificate expired", StringComparison.OrdinalIgnoreCase)
                || m.Contains("alert access denied", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private static string Detail(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? e.Message : e.Message + " (" + inner.Message + ")";
    }
}
