using System.Text.Json;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>
/// Finds the tool definitions in whatever the caller has: a whole <c>tools/list</c> JSON-RPC response, its
/// <c>result</c> object, a bare tools array, or one tool definition.
/// </summary>
public static class ToolDefinitions
{
    /// <summary>Hard cap on tools read from one list (a hostile server could send millions).</summary>
    public const int MaxTools = 10_000;

    public static ToolInputShape Detect(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array) return ToolInputShape.ToolsArray;
        if (root.ValueKind != JsonValueKind.Object) return ToolInputShape.Unknown;
        if (root.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Object && r.TryGetProperty("tools", out var t1) && t1.ValueKind == JsonValueKind.Array)
            return ToolInputShape.JsonRpcResponse;
        if (root.TryGetProperty("tools", out var t2) && t2.ValueKind == JsonValueKind.Array) return ToolInputShape.ListResult;
        if (root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String) return ToolInputShape.SingleTool;
        return ToolInputShape.Unknown;
    }

    /// <summary>The tool objects, in order (non-objects in the array are skipped but keep their index).</summary>
    public static IEnumerable<(int Index, JsonElement Tool)> Enumerate(JsonElement root)
    {
        JsonElement array;
        switch (Detect(root))
        {
            case ToolInputShape.SingleTool:
                yield return (0, root);
                yield break;
            case ToolInputShape.ToolsArray: array = root; break;
            case ToolInputShape.ListResult: array = root.GetProperty("tools"); break;
            case ToolInputShape.JsonRpcResponse: array = root.GetProperty("result").GetProperty("tools"); break;
            default: yield break;
        }
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (i >= MaxTools) yield break;
            if (item.ValueKind == JsonValueKind.Object) yield return (i, item);
            i++;
        }
    }

    public static string? Name(JsonElement tool) =>
        tool.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
}

public enum ToolInputShape
{
    Unknown = 0,
    JsonRpcResponse,
    ListResult,
    ToolsArray,
    SingleTool,
}
