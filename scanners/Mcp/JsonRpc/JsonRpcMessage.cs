using System.Text.Json;

namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>
/// One validated JSON-RPC 2.0 message (MCP carries exactly one per line / POST; batches are refused).
/// Owns its <see cref="JsonDocument"/>: dispose it when done.
/// </summary>
public sealed class JsonRpcMessage : IDisposable
{
    private readonly JsonDocument _doc;

    private JsonRpcMessage(JsonDocument doc, JsonRpcKind kind, string? method, string? idRaw)
    {
        _doc = doc;
        Kind = kind;
        Method = method;
        IdRaw = idRaw;
    }

    public JsonRpcKind Kind { get; }

    /// <summary>The method for requests and notifications; null for responses.</summary>
    public string? Method { get; }

    /// <summary>The id as raw JSON text (<c>7</c>, <c>"abc"</c>, <c>null</c>); null when absent (notification).</summary>
    public string? IdRaw { get; }

    /// <summary>The whole message object.</summary>
    public JsonElement Root => _doc.RootElement;

    public JsonElement? Id => Root.TryGetProperty("id", out var v) ? v : null;
    public JsonElement? Params => Root.TryGetProperty("params", out var v) ? v : null;
    public JsonElement? Result => Root.TryGetProperty("result", out var v) ? v : null;
    public JsonElement? Error => Root.TryGetProperty("error", out var v) ? v : null;

    public bool IsRequest => Kind == JsonRpcKind.Request;
    public bool IsNotification => Kind == JsonRpcKind.Notification;
    public bool IsResponse => Kind is JsonRpcKind.Response or JsonRpcKind.Error;

    public void Dispose() => _doc.Dispose();

    /// <summary>Parses and validates one message; exactly one of message / error is non-null.</summary>
    public static JsonRpcParseResult Parse(ReadOnlyMemory<byte> utf8, JsonRpcLimits? limits = null)
    {
        limits ??= JsonRpcLimits.Default;
        if (utf8.Length > limits.MaxBytes)
            return Fail(JsonRpcFailure.TooLarge, JsonRpcErrors.InvalidRequest, "message too large");

        // Step 1: one forward pass with the reader: syntax, depth, duplicate keys, root shape. Doing it before
        // JsonDocument keeps a 10 MiB "[[[[…" or a duplicate-key smuggle from costing more than one scan.
        var structural = JsonStructureCheck.Run(utf8.Span, limits.MaxDepth);
        if (structural is not null) return new JsonRpcParseResult(null, structural);

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = limits.MaxDepth + 1 });
        }
        catch (JsonException)
        {
            return Fail(JsonRpcFailure.InvalidJson, JsonRpcErrors.ParseError, "Parse error");
        }

        // Step 2: envelope validation on the tree.
        var error = Classify(doc.RootElement, out var kind, out var method, out var idRaw);
        if (error is not null)
        {
            doc.Dispose();
            return new JsonRpcParseResult(null, error);
        }
        return new JsonRpcParseResult(new JsonRpcMessage(doc, kind, method, idRaw), null);
    }

    /// <summary>Convenience overload for text (tests, stdio lines already decoded).</summary>
    public static JsonRpcParseResult Parse(string json, JsonRpcLimits? limits = null) =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), limits);

    private static JsonRpcParseError? Classify(JsonElement root, out JsonRpcKind kind, out string? method, out string? idRaw)
    {
        kind = default;
        method = null;
        idRaw = null;

        bool hasId = root.TryGetProperty("id", out var id);
        if (hasId)
        {
            if (id.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null) idRaw = id.GetRawText();
            else return new JsonRpcParseError(JsonRpcFailure.BadId, JsonRpcErrors.InvalidRequest, "Invalid Request: id must be a string, number or null");
        }

        if (!root.TryGetProperty("jsonrpc", out var ver) || ver.ValueKind != JsonValueKind.String || ver.GetString() != "2.0")
            return new JsonRpcParseError(JsonRpcFailure.BadVersion, JsonRpcErrors.InvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"", idRaw);

        if (root.TryGetProperty("method", out var m))
        {
            if (m.ValueKind != JsonValueKind.String)
                return new JsonRpcParseError(JsonRpcFailure.BadMethod, JsonRpcErrors.InvalidRequest, "Invalid Request: method must be a string", idRaw);
            if (root.TryGetProperty("params", out var p) && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                return new JsonRpcParseError(JsonRpcFailure.BadShape, JsonRpcErrors.InvalidRequest, "Invalid Request: params must be an object or array", idRaw);
            if (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _))
                return new JsonRpcParseError(JsonRpcFailure.BadShape, JsonRpcErrors.InvalidRequest, "Invalid Request: both a request and a response", idRaw);
            method = m.GetString();
            kind = hasId ? JsonRpcKind.Request : JsonRpcKind.Notification;
            return null;
        }

        bool hasResult = root.TryGetProperty("result", out _);
        bool hasError = root.TryGetProperty("error", out var err);
        if (!hasId || hasResult == hasError)
            return new JsonRpcParseError(JsonRpcFailure.BadShape, JsonRpcErrors.InvalidRequest, "Invalid Request: neither a request nor a response", idRaw);
        if (hasError && err.ValueKind != JsonValueKind.Object)
            return new JsonRpcParseError(JsonRpcFailure.BadShape, JsonRpcErrors.InvalidRequest, "Invalid Request: error must be an object", idRaw);
        kind = hasError ? JsonRpcKind.Error : JsonRpcKind.Response;
        return null;
    }

    private static JsonRpcParseResult Fail(JsonRpcFailure f, int code, string msg) => new(null, new JsonRpcParseError(f, code, msg));
}

/// <summary>Outcome of <see cref="JsonRpcMessage.Parse(ReadOnlyMemory{byte}, JsonRpcLimits?)"/>.</summary>
public sealed record JsonRpcParseResult(JsonRpcMessage? Message, JsonRpcParseError? Error)
{
    public bool Ok => Message is not null;
}
