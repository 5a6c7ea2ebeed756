using System.Security.Authentication;
using Pipelock.Agent.Forward;

namespace Pipelock.Agent.Tests.Forward;

public class TlsBumpLayerTests
{
    [Theory]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", true)]
    [InlineData("error:0A000412:SSL routines::sslv3 alert bad certificate", true)]
    [InlineData("error:0A000416:SSL routines::sslv3 alert certificate unknown", true)]
    [InlineData("Received an unexpected EOF or 0 bytes from the transport stream.", false)]
    [InlineData("The operation was canceled.", false)]
    [InlineData("error:0A00010B:SSL routines::wrong version number", false)]
    public void OnlyCertificateAlerts_CountAsAPinnedClient(string innerMessage, bool rejected)
    {
        var e = new AuthenticationException("Authentication failed, see inner exception.", new InvalidOperationException(innerMessage));

        Assert.Equal(rejected, TlsBumpLayer.ClientRejectedCertificate(e));
    }
}

public class TlsBumpFailureClassificationTests
{
    public static TheoryData<string, Exception, bool, BumpFailure> Cases => new()
    {
        { "unknown ca alert", Auth(new InvalidOperationException("error:0A000418:SSL routines::tlsv1 alert unknown ca")), false, BumpFailure.CertificateRejected },
        // The alert wins even when the connection is gone by the time we look.
        { "alert then close", Auth(new InvalidOperationException("sslv3 alert bad certificate")), true, BumpFailure.CertificateRejected },
        { "reset from Kestrel's socket pipe", new Microsoft.AspNetCore.Connections.ConnectionResetException("Connection reset by peer"), true, BumpFailure.ClientAbandoned },
        { "reset wrapped by SslStream", Auth(new IOException("read", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset))), true, BumpFailure.ClientAbandoned },
        { "EOF mid-handshake", Auth(new IOException("Received an unexpected EOF or 0 bytes from the transport stream.")), true, BumpFailure.ClientAbandoned },
        { "connection closed while waiting", new OperationCanceledException(), true, BumpFailure.ClientAbandoned },
        // A slow or idle client is not a pinned one.
        { "handshake timeout", new OperationCanceledException(), false, BumpFailure.Other },
        { "not TLS after all", Auth(new InvalidOperationException("error:0A00010B:SSL routines::wrong version number")), false, BumpFailure.Other },
        { "no shared cipher", Auth(new InvalidOperationException("error:0A0000C1:SSL routines::no shared cipher")), false, BumpFailure.Other },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HandshakeFailures_AreClassified(string name, Exception e, bool connectionClosed, BumpFailure expected)
    {
        var actual = TlsBumpLayer.Classify(e, connectionClosed);

        Assert.True(expected == actual, $"{name}: expected {expected}, got {actual}");
    }

    private static AuthenticationException Auth(Exception inner) => new("Authentication failed, see inner exception.", inner);
}
