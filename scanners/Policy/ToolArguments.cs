using System.Text.Json;
using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// String values of <c>params.arguments</c> (keys are never included: a rule about commands must not fire on a
/// parameter called "rm"). Depth and count are capped so a hostile document cannot run the walk away.
/// </summary>
internal static class ToolArguments
{
    public const int MaxDepth = 64;
    public const int MaxStrings = 4096;

    public static List<string> AllValues(JsonElement arguments)
    {
        var list = new List<string>();
        Walk(arguments, list, 0);
        return list;
    }

    /// <summary>Values under top-level keys matching <paramref name="key"/>, recursively.</summary>
    public static List<string> ValuesUnderKeys(JsonElement arguments, RuleRegex key)
    {
        var list = new List<string>();
        if (arguments.ValueKind != JsonValueKind.Object) return list;
        foreach (var p in arguments.EnumerateObject())
            if (key.IsMatch(p.Name)) Walk(p.Value, list, 1);
        return list;
    }

    private static void Walk(JsonElement e, List<string> list, int depth)
    {
        if (depth > MaxDepth || list.Count >= MaxStrings) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                list.Add(e.GetString() ?? "");
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(p.Value, list, depth + 1);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Walk(item, list, depth + 1);
                break;
        }
    }
}
