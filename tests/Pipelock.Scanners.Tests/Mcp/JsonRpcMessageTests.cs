using Pipelock.Scanners.Mcp.JsonRpc;

namespace Pipelock.Scanners.Tests.Mcp;

public class JsonRpcMessageTests
{
    public static TheoryData<string, JsonRpcKind> Valid => new()
    {
        { """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", JsonRpcKind.Request },
        { """{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":{}}}""", JsonRpcKind.Request },
        { """{"jsonrpc":"2.0","id":null,"method":"ping"}""", JsonRpcKind.Request },
        { """{"jsonrpc":"2.0","method":"notifications/initialized"}""", JsonRpcKind.Notification },
        { """{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}""", JsonRpcKind.Response },
        { """{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}""", JsonRpcKind.Error },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidMessage_Classified(string json, JsonRpcKind kind)
    {
        var r = JsonRpcMessage.Parse(json);
        Assert.True(r.Ok, r.Error?.Message);
        using var m = r.Message!;
        Assert.Equal(kind, m.Kind);
    }

    public static TheoryData<string, JsonRpcFailure, int> Invalid => new()
    {
        { "not json", JsonRpcFailure.InvalidJson, -32700 },
        { "", JsonRpcFailure.InvalidJson, -32700 },
        { """{"jsonrpc":"2.0","id":1,"method":"x" """, JsonRpcFailure.InvalidJson, -32700 },
        { """[{"jsonrpc":"2.0","id":1,"method":"x"}]""", JsonRpcFailure.Batch, -32600 },
        { "42", JsonRpcFailure.NotAnObject, -32600 },
        { """{"id":1,"method":"x"}""", JsonRpcFailure.BadVersion, -32600 },
        { """{"jsonrpc":"1.0","id":1,"method":"x"}""", JsonRpcFailure.BadVersion, -32600 },
        { """{"jsonrpc":2.0,"id":1,"method":"x"}""", JsonRpcFailure.BadVersion, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":5}""", JsonRpcFailure.BadMethod, -32600 },
        { """{"jsonrpc":"2.0","id":{"a":1},"method":"x"}""", JsonRpcFailure.BadId, -32600 },
        { """{"jsonrpc":"2.0","id":[1],"method":"x"}""", JsonRpcFailure.BadId, -32600 },
        { """{"jsonrpc":"2.0","id":1}""", JsonRpcFailure.BadShape, -32600 },
        { """{"jsonrpc":"2.0","id":1,"result":1,"error":{}}""", JsonRpcFailure.BadShape, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"x","params":"s"}""", JsonRpcFailure.BadShape, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"x","result":{}}""", JsonRpcFailure.BadShape, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}""", JsonRpcFailure.DuplicateKey, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"a","Method":"b"}""", JsonRpcFailure.DuplicateKey, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"a","params":{"x":{"k":1,"k":2}}}""", JsonRpcFailure.DuplicateKey, -32600 },
        { """{"jsonrpc":"2.0","id":1,"method":"a","params":{"k":1,"\u006b":2}}""", JsonRpcFailure.DuplicateKey, -32600 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_InvalidMessage_RefusedWithCode(string json, JsonRpcFailure failure, int code)
    {
        var r = JsonRpcMessage.Parse(json);
        Assert.False(r.Ok);
        Assert.Equal(failure, r.Error!.Failure);
        Assert.Equal(code, r.Error.Code);
    }

    [Theory]
    [InlineData(63, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    [InlineData(100_000, false)]
    public void Parse_Nesting_CappedAt64(int depth, bool ok)
    {
        // Root object is level 1; each array under params adds one.
        int inner = depth - 1;
        var json = """{"jsonrpc":"2.0","id":1,"method":"x","params":""" + new string('[', Math.Max(0, inner)) + "1" + new string(']', Math.Max(0, inner)) + "}";
        var r = JsonRpcMessage.Parse(json);
        Assert.Equal(ok, r.Ok);
        if (!ok) Assert.Equal(JsonRpcFailure.TooDeep, r.Error!.Failure);
        r.Message?.Dispose();
    }

    [Fact]
    public void Parse_OverSizeCap_Refused()
    {
        var r = JsonRpcMessage.Parse(new byte[64], new JsonRpcLimits(MaxBytes: 32));
        Assert.Equal(JsonRpcFailure.TooLarge, r.Error!.Failure);
    }

    [Fact]
    public void Parse_BadVersion_EchoesId()
    {
        var r = JsonRpcMessage.Parse("""{"jsonrpc":"1.0","id":"req-7","method":"x"}""");
        Assert.Equal("\"req-7\"", r.Error!.IdRaw);
        var resp = System.Text.Encoding.UTF8.GetString(r.Error.ToResponse());
        Assert.Equal("""{"jsonrpc":"2.0","id":"req-7","error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \u00222.0\u0022"}}""", resp);
    }

    [Theory]
    [InlineData("7", "7")]
    [InlineData("\"x\"", "\"x\"")]
    [InlineData(null, "null")]
    [InlineData("{\"a\":1}", "null")]
    [InlineData("1,\"error\":{}", "null")]
    public void Build_Id_OnlyScalarEchoed(string? idRaw, string expectedId)
    {
        var s = JsonRpcErrors.BuildString(idRaw, JsonRpcErrors.ContentBlocked, "blocked");
        Assert.StartsWith("{\"jsonrpc\":\"2.0\",\"id\":" + expectedId + ",\"error\":{\"code\":-32001", s);
    }

    [Fact]
    public void Errors_Codes_MatchPipelock()
    {
        Assert.Equal(-32001, JsonRpcErrors.ContentBlocked);
        Assert.Equal(-32002, JsonRpcErrors.PolicyBlocked);
        Assert.Equal(-32004, JsonRpcErrors.KillSwitch);
        Assert.Equal(-32004, JsonRpcErrors.ChainBlocked);
        Assert.Equal(-32005, JsonRpcErrors.CrossRequest);
        Assert.Equal(-32600, JsonRpcErrors.InvalidRequest);
        Assert.Equal(-32700, JsonRpcErrors.ParseError);
    }
}
