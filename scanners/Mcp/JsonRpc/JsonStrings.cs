using System.Text.Json;

namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>
/// Collects every string of a JSON tree (Pipelock's <c>extract.AllStringsFromJSON</c>), keys included on request:
/// a secret used as a JSON key is still a secret on the wire. Depth and count are capped so a hostile message
/// cannot make extraction unbounded; the truncation is reported so callers can fail closed.
/// </summary>
public static class JsonStrings
{
    public const int DefaultMaxDepth = 64;
    public const int DefaultMaxStrings = 10_000;

    /// <summary>Extracts strings in document order.</summary>
    /// <param name="element">Tree to walk.</param>
    /// <param name="includeKeys">Also yield object keys.</param>
    /// <param name="rootPath">Path prefix for the element ("params", "result", ...).</param>
    public static List<JsonString> Extract(JsonElement element, bool includeKeys, string rootPath = "",
        int maxDepth = DefaultMaxDepth, int maxStrings = DefaultMaxStrings) =>
        Extract(element, includeKeys, rootPath, maxDepth, maxStrings, out _);

    /// <summary>As <see cref="Extract(JsonElement, bool, string, int, int)"/>; <paramref name="truncated"/> says a cap was hit.</summary>
    public static List<JsonString> Extract(JsonElement element, bool includeKeys, string rootPath, int maxDepth, int maxStrings, out bool truncated)
    {
        var list = new List<JsonString>();
        truncated = false;
        Walk(element, includeKeys, rootPath, 0, maxDepth, maxStrings, list, ref truncated);
        return list;
    }

    private static void Walk(JsonElement e, bool keys, string path, int depth, int maxDepth, int max, List<JsonString> list, ref bool truncated)
    {
        if (list.Count >= max || depth > maxDepth) { truncated = true; return; }
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                list.Add(new JsonString(path, e.GetString()!, false));
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (list.Count >= max) { truncated = true; return; }
                    var child = Join(path, p.Name);
                    if (keys) list.Add(new JsonString(child, p.Name, true));
                    Walk(p.Value, keys, child, depth + 1, maxDepth, max, list, ref truncated);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (list.Count >= max) { truncated = true; return; }
                    Walk(item, keys, path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", depth + 1, maxDepth, max, list, ref truncated);
                    i++;
                }
                break;
        }
    }

    internal static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
