using Pipelock.Agent.Config;

namespace Pipelock.Agent.Forward;

/// <summary>Builds <see cref="TlsBumping"/> from <c>tls_interception</c> with the CA of <c>certs/</c>.</summary>
public static class TlsSetup
{
    public static TlsBumping Create(TlsInterceptionConfig config, TimeProvider time) =>
        throw new InvalidOperationException("tls_interception.enabled: the certificate authority is not wired in yet");
}
