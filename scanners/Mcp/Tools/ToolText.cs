using System.Text.Json;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>One piece of a tool's text and where it came from (relative to the tool object).</summary>
public readonly record struct ToolTextSegment(string Path, string Text, ToolTextKind Kind = ToolTextKind.Text);

/// <summary>What a segment is, so name-only rules do not run on prose and vice versa.</summary>
public enum ToolTextKind
{
    Text = 0,
    /// <summary>The name of an <c>x-*</c> extension key (e.g. <c>x-system-prompt</c>).</summary>
    ExtensionKey = 1,
}

/// <summary>
/// Extracts the text a model reads from a tool definition (catalogue §3.4): description, schema text and
/// parameter names. The schema walk follows Pipelock (description/title/pattern/$comment strings, every string leaf
/// under default/const/enum/examples and x-* extensions, recursion through everything, depth ≤ 20) and also covers
/// the tool-level <c>title</c>, <c>annotations</c> and <c>outputSchema</c>, which clients show the model too.
/// </summary>
public static class ToolText
{
    public const int MaxSchemaDepth = 20;
    public const int MaxSegments = 2_000;
    public const int MaxParamNames = 500;

    public static List<ToolTextSegment> Segments(JsonElement tool, List<string>? paramNames = null)
    {
        var segs = new List<ToolTextSegment>();
        if (tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String) segs.Add(new("description", d.GetString()!));
        if (tool.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) segs.Add(new("title", t.GetString()!));
        if (tool.TryGetProperty("annotations", out var a)) AllLeaves(a, "annotations", 0, segs);
        if (tool.TryGetProperty("inputSchema", out var s)) WalkSchema(s, "inputSchema", 0, segs, paramNames);
        // Other spellings of the same thing: Anthropic API "input_schema", OpenAI "parameters" (a schema), and tool
        // catalogues that list only parameter names ("params": ["a", "b"]).
        foreach (var alt in (ReadOnlySpan<string>)["input_schema", "parameters", "params"])
        {
            if (!tool.TryGetProperty(alt, out var a2)) continue;
            if (a2.ValueKind == JsonValueKind.Object) WalkSchema(a2, alt, 0, segs, paramNames);
            else if (a2.ValueKind == JsonValueKind.Array && paramNames is not null)
                foreach (var item in a2.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.String && paramNames.Count < MaxParamNames) paramNames.Add(item.GetString()!);
        }
        if (tool.TryGetProperty("outputSchema", out var o)) WalkSchema(o, "outputSchema", 0, segs, null);
        foreach (var p in tool.EnumerateObject())
        {
            if (!p.Name.StartsWith("x-", StringComparison.OrdinalIgnoreCase)) continue;
            segs.Add(new(p.Name, p.Name, ToolTextKind.ExtensionKey));
            AllLeaves(p.Value, p.Name, 1, segs);
        }
        return segs;
    }

    /// <summary>Parameter names, raw and expanded, as one segment ("path_secret path secret ...").</summary>
    public static string ParamNameText(List<string> names)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var n in names)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(n).Append('\n').Append(ParamNames.Expand(n));
        }
        return sb.ToString();
    }

    private static void WalkSchema(JsonElement e, string path, int depth, List<ToolTextSegment> segs, List<string>? paramNames)
    {
        if (depth > MaxSchemaDepth || segs.Count >= MaxSegments) return;
        if (e.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in e.EnumerateArray()) WalkSchema(item, Idx(path, i++), depth + 1, segs, paramNames);
            return;
        }
        if (e.ValueKind != JsonValueKind.Object) return;

        foreach (var p in e.EnumerateObject())
        {
            var child = path + "." + p.Name;
            switch (p.Name)
            {
                case "description" or "title" or "pattern" or "$comment" when p.Value.ValueKind == JsonValueKind.String:
                    segs.Add(new(child, p.Value.GetString()!));
                    break;
                case "default" or "const" or "enum" or "examples" or "example":
                    AllLeaves(p.Value, child, depth + 1, segs);
                    break;
                case "properties" when p.Value.ValueKind == JsonValueKind.Object:
                    foreach (var prop in p.Value.EnumerateObject())
                    {
                        if (paramNames is not null && paramNames.Count < MaxParamNames) paramNames.Add(prop.Name);
                        WalkSchema(prop.Value, child + "." + prop.Name, depth + 1, segs, paramNames);
                    }
                    break;
                default:
                    if (p.Name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                    {
                        segs.Add(new(child, p.Name, ToolTextKind.ExtensionKey));
                        AllLeaves(p.Value, child, depth + 1, segs);
                    }
                    else WalkSchema(p.Value, child, depth + 1, segs, paramNames);
                    break;
            }
        }
    }

    /// <summary>Every string leaf (keys of nested objects included: an extension can hide text in a key).</summary>
    private static void AllLeaves(JsonElement e, string path, int depth, List<ToolTextSegment> segs)
    {
        if (depth > MaxSchemaDepth || segs.Count >= MaxSegments) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                segs.Add(new(path, e.GetString()!));
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) AllLeaves(item, Idx(path, i++), depth + 1, segs);
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name.Length > 24) segs.Add(new(path + "." + p.Name, p.Name));
                    AllLeaves(p.Value, path + "." + p.Name, depth + 1, segs);
                }
                break;
        }
    }

    private static string Idx(string path, int i) => path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}
