namespace Pipelock.Certs;

/// <summary>
/// The CA files cannot be used as they are (missing half, mismatched key, not a CA, key too readable, expired).
/// A distinct type so the agent can print the message and exit instead of showing a stack trace: each message names
/// the file and what to do.
/// </summary>
public sealed class CertificateAuthorityException : Exception
{
    public CertificateAuthorityException(string message) : base(message) { }
    public CertificateAuthorityException(string message, Exception inner) : base(message, inner) { }
}
