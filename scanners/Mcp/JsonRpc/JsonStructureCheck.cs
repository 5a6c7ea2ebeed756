using System.Text.Json;

namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>
/// Single reader pass that refuses what must never reach a scanner: invalid JSON, nesting beyond the cap,
/// duplicate keys anywhere (a scanner and the server could pick different copies), batches and scalars.
/// </summary>
internal static class JsonStructureCheck
{
    public static JsonRpcParseError? Run(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // The reader's own cap is set above ours so we can report "too deep" distinctly from "not JSON".
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 2, CommentHandling = JsonCommentHandling.Disallow });
        var keyStack = new Stack<HashSet<string>?>();
        HashSet<string>? rootKeysFolded = null;
        bool first = true;
        try
        {
            while (reader.Read())
            {
                if (first)
                {
                    first = false;
                    if (reader.TokenType == JsonTokenType.StartArray)
                        return new JsonRpcParseError(JsonRpcFailure.Batch, JsonRpcErrors.InvalidRequest, "batch requests are not supported by MCP");
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        // Still make sure it is JSON at all: a scalar followed by junk is a parse error.
                        while (reader.Read()) { }
                        return new JsonRpcParseError(JsonRpcFailure.NotAnObject, JsonRpcErrors.InvalidRequest, "Invalid Request: not an object");
                    }
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        if (reader.CurrentDepth >= maxDepth) return TooDeep();
                        keyStack.Push(null);
                        break;
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= maxDepth) return TooDeep();
                        keyStack.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        keyStack.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        var set = keyStack.Pop() ?? new HashSet<string>(StringComparer.Ordinal);
                        bool added = set.Add(name);
                        keyStack.Push(set);
                        if (!added) return Duplicate();
                        // Go's encoding/json matches struct fields case-insensitively, so "Method" next to "method"
                        // is the same smuggle as a duplicate for a Go MCP server: refuse it on the envelope.
                        if (reader.CurrentDepth == 1)
                        {
                            rootKeysFolded ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                            if (!rootKeysFolded.Add(name)) return Duplicate();
                        }
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return new JsonRpcParseError(JsonRpcFailure.InvalidJson, JsonRpcErrors.ParseError, "Parse error");
        }
        if (first) return new JsonRpcParseError(JsonRpcFailure.InvalidJson, JsonRpcErrors.ParseError, "Parse error");
        return null;
    }

    private static JsonRpcParseError TooDeep() =>
        new(JsonRpcFailure.TooDeep, JsonRpcErrors.InvalidRequest, "Invalid Request: nesting too deep");

    // The key is not echoed: it may itself be a secret (a key-smuggled credential).
    private static JsonRpcParseError Duplicate() =>
        new(JsonRpcFailure.DuplicateKey, JsonRpcErrors.InvalidRequest, "Invalid Request: duplicate key");
}
