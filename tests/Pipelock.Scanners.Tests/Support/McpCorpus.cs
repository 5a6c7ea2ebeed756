using System.Text.Json.Nodes;

namespace Pipelock.Scanners.Tests.Support;

/// <summary>Shapes of the mcp_tools corpus that the tests share.</summary>
public static class McpCorpus
{
    /// <summary>Corpus records list parameter names as "params"; turn them into an inputSchema.</summary>
    public static string ToolJson(string text)
    {
        var node = JsonNode.Parse(text)!.AsObject();
        if (node["params"] is JsonArray ps)
        {
            var props = new JsonObject();
            foreach (var p in ps) props[(string)p!] = new JsonObject { ["type"] = "string" };
            node["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = props };
            node.Remove("params");
        }
        return node.ToJsonString();
    }
}
