using System.Text.Json;
using Pipelock.Scanners.Mcp.JsonRpc;

namespace Pipelock.Scanners.Tests.Mcp;

public class JsonStringsTests
{
    [Fact]
    public void Extract_KeysAndValues_WithPaths()
    {
        using var doc = JsonDocument.Parse("""{"a":{"k1":"v1","arr":["x",{"k2":"y"}]},"n":3}""");
        var got = JsonStrings.Extract(doc.RootElement, includeKeys: true, "params");
        Assert.Equal(
            ["params.a|a|K", "params.a.k1|k1|K", "params.a.k1|v1|V", "params.a.arr|arr|K", "params.a.arr[0]|x|V", "params.a.arr[1].k2|k2|K", "params.a.arr[1].k2|y|V", "params.n|n|K"],
            got.Select(s => $"{s.Path}|{s.Value}|{(s.IsKey ? "K" : "V")}"));
    }

    [Fact]
    public void Extract_ValuesOnly_SkipsKeys()
    {
        using var doc = JsonDocument.Parse("""{"k":"v"}""");
        Assert.Equal(["v"], JsonStrings.Extract(doc.RootElement, includeKeys: false).Select(s => s.Value));
    }

    [Fact]
    public void Extract_CountCap_ReportsTruncation()
    {
        using var doc = JsonDocument.Parse("[" + string.Join(",", Enumerable.Repeat("\"s\"", 50)) + "]");
        var got = JsonStrings.Extract(doc.RootElement, false, "", 64, 10, out bool truncated);
        Assert.Equal(10, got.Count);
        Assert.True(truncated);
    }
}
