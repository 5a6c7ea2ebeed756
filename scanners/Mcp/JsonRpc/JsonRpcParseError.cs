namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>Why a message was refused before scanning (errors are data, not exceptions).</summary>
public enum JsonRpcFailure
{
    /// <summary>Not valid JSON (-32700).</summary>
    InvalidJson = 1,
    /// <summary>Larger than <see cref="JsonRpcLimits.MaxBytes"/>.</summary>
    TooLarge,
    /// <summary>Nested deeper than <see cref="JsonRpcLimits.MaxDepth"/>.</summary>
    TooDeep,
    /// <summary>A key appears twice in one object: parsers disagree on which copy wins, so the scan could see a different value than the server.</summary>
    DuplicateKey,
    /// <summary>Top-level array: MCP does not support batches.</summary>
    Batch,
    /// <summary>Top-level scalar.</summary>
    NotAnObject,
    /// <summary><c>jsonrpc</c> missing or not exactly "2.0".</summary>
    BadVersion,
    /// <summary><c>method</c> present but not a string.</summary>
    BadMethod,
    /// <summary><c>id</c> neither string, number nor null.</summary>
    BadId,
    /// <summary>Neither a request nor a well-formed response.</summary>
    BadShape,
}

/// <summary>A refused message: the JSON-RPC error code to answer with and the id to echo (raw JSON, null when unknown).</summary>
public sealed record JsonRpcParseError(JsonRpcFailure Failure, int Code, string Message, string? IdRaw = null)
{
    /// <summary>The error response to send back (id echoed when it could be read).</summary>
    public byte[] ToResponse() => JsonRpcErrors.Build(IdRaw, Code, Message);
}
