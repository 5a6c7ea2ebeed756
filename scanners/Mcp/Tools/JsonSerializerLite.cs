using System.Buffers;
using System.Text.Json;

namespace Pipelock.Scanners.Mcp.Tools;

/// <summary>Builds small JSON documents without reflection (the scanner assembly is AOT-compatible).</summary>
internal static class JsonSerializerLite
{
    public static byte[] Tool(string name, string description)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + description.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("description", description);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
