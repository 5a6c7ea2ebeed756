using System.Text.Json;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Every key and value of a JSON document (strings and numbers: card numbers travel as numbers), streamed with
/// Utf8JsonReader so no DOM is built. Depth is capped; past the node cap the caller scans the raw text instead.
/// </summary>
internal static class JsonTextExtractor
{
    public enum Outcome { Ok, Invalid, NodeCapReached }

    public static Outcome Extract(ReadOnlySpan<byte> json, int maxDepth, int maxNodes, List<string> output, out string? error, List<string>? values = null)
    {
        error = null;
        if (json.StartsWith("\uFEFF"u8)) json = json[3..];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow });
        int nodes = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        output.Add(reader.GetString()!);
                        break;
                    case JsonTokenType.String:
                        output.Add(reader.GetString()!);
                        values?.Add(output[^1]);
                        break;
                    case JsonTokenType.Number:
                        output.Add(System.Text.Encoding.UTF8.GetString(reader.ValueSpan));
                        values?.Add(output[^1]);
                        break;
                    default:
                        continue;
                }
                if (++nodes >= maxNodes) return Outcome.NodeCapReached;
            }
            return Outcome.Ok;
        }
        catch (JsonException e)
        {
            error = reader.CurrentDepth >= maxDepth ? $"JSON nesting exceeds {maxDepth}" : "invalid JSON: " + Verdicts.Redaction.Excerpt(e.Message, 80);
            return Outcome.Invalid;
        }
    }

    /// <summary>Cheap sniff before trying JSON on a body whose label says otherwise.</summary>
    public static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        body = body.TrimStart(" \t\r\n"u8);
        if (body.StartsWith("\uFEFF"u8)) body = body[3..];
        return !body.IsEmpty && (body[0] == (byte)'{' || body[0] == (byte)'[');
    }
}
