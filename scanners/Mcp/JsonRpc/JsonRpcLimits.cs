namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>Hard caps applied before anything else looks at a message (adversarial input must stay bounded).</summary>
/// <param name="MaxBytes">Largest accepted message; Pipelock's <c>transport.MaxLineSize</c> is 10 MiB.</param>
/// <param name="MaxDepth">Deepest accepted object/array nesting.</param>
public sealed record JsonRpcLimits(int MaxBytes = JsonRpcLimits.DefaultMaxBytes, int MaxDepth = JsonRpcLimits.DefaultMaxDepth)
{
    public const int DefaultMaxBytes = 10 * 1024 * 1024;
    public const int DefaultMaxDepth = 64;

    public static readonly JsonRpcLimits Default = new();
}
