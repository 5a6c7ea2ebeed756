using System.Text.Json;
using Pipelock.Scanners.Mcp.Session;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Mcp;

public class SessionBindingTests
{
    private static readonly SessionBindingOptions On = new() { Enabled = true, UnknownToolAction = ScanAction.Block };
    private static JsonElement J(string s) => JsonDocument.Parse(s).RootElement;

    [Fact]
    public void CheckCall_PinnedTool_Clean()
    {
        var b = new SessionBinding(On);
        b.RecordToolsList("s1", J("""{"tools":[{"name":"get_accounts"},{"name":"get_transactions"}]}"""));
        Assert.True(b.CheckCall("s1", J("""{"name":"get_accounts","arguments":{}}""")).IsClean);
    }

    [Fact]
    public void CheckCall_UnknownTool_UnknownToolAction()
    {
        var b = new SessionBinding(On);
        b.RecordToolsList("s1", J("""[{"name":"get_accounts"}]"""));
        var v = b.CheckCall("s1", J("""{"name":"delete_everything"}"""));
        var f = Assert.Single(v.Findings);
        Assert.Equal((ScannerNames.SessionBinding, SessionBinding.UnknownToolRule, ScanAction.Block), (f.Scanner, f.Rule, f.Action));
    }

    [Fact]
    public void CheckCall_NoBaseline_NoBaselineAction()
    {
        var v = new SessionBinding(On).CheckToolName("s1", "get_accounts");
        Assert.Equal((SessionBinding.NoBaselineRule, ScanAction.Warn), (v.Findings[0].Rule, v.Findings[0].Action));
    }

    [Fact]
    public void CheckCall_MissingName_Denied() =>
        Assert.Equal(SessionBinding.MissingNameRule, new SessionBinding(On).CheckCall("s", J("{}")).Findings[0].Rule);

    [Fact]
    public void RecordToolsList_LaterListAddsTool_ReportedNotTrusted()
    {
        var b = new SessionBinding(On);
        Assert.Empty(b.RecordToolNames("s1", ["a"]));
        Assert.Equal(["b"], b.RecordToolNames("s1", ["a", "b"]));
        Assert.False(b.CheckToolName("s1", "b").IsClean);
    }

    [Fact]
    public void Sessions_Isolated_AndBounded()
    {
        var b = new SessionBinding(On with { MaxSessions = 2 });
        b.RecordToolNames("s1", ["a"]);
        b.RecordToolNames("s2", ["b"]);
        Assert.False(b.CheckToolName("s2", "a").IsClean);
        b.RecordToolNames("s3", ["c"]);
        Assert.Equal(2, b.SessionCount);
        Assert.Equal(SessionBinding.NoBaselineRule, b.CheckToolName("s1", "a").Findings[0].Rule);
    }

    [Fact]
    public void CheckCall_Disabled_Clean() =>
        Assert.True(new SessionBinding(SessionBindingOptions.Default).CheckToolName("s", "x").IsClean);

    [Theory]
    [InlineData("abc", "Bearer t", "10.0.0.1", "sid:abc")]
    [InlineData(null, "Bearer t", "10.0.0.1", null)]
    public void SessionKey_SessionIdPreferred(string? sid, string auth, string addr, string? expected)
    {
        var k = SessionKey.For(sid, auth, addr);
        if (expected is not null) Assert.Equal(expected, k);
        else Assert.StartsWith("tok:", k);
    }

    [Fact]
    public void SessionKey_NoSessionId_TokenAndAddressBothMatter()
    {
        var k = SessionKey.For(null, "Bearer tokA", "10.0.0.1");
        Assert.NotEqual(k, SessionKey.For(null, "Bearer tokB", "10.0.0.1"));
        Assert.NotEqual(k, SessionKey.For(null, "Bearer tokA", "10.0.0.2"));
        Assert.Equal(k, SessionKey.For("", "bearer   tokA", "10.0.0.1"));
        Assert.DoesNotContain("tokA", k);
    }
}
