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
