namespace Pipelock.Interceptor.Rules;

/// <summary>Invalid rule options, or a firewall/routing tool that failed (the message carries its stderr).</summary>
public sealed class TransparentRulesException : Exception
{
    public TransparentRulesException(string message) : base(message) { }

    public TransparentRulesException(string message, Exception inner) : base(message, inner) { }
}
