using System.Buffers;
using System.Text.Json;

namespace Pipelock.Scanners.Mcp.JsonRpc;

/// <summary>
/// JSON-RPC error codes Pipelock answers with (catalogue §3.1) and a builder for error responses.
/// Codes are a contract with MCP clients: keep them as Pipelock has them.
/// </summary>
public static class JsonRpcErrors
{
    /// <summary>Content-scan block (DLP / injection), session-binding deny, non-redactable strip.</summary>
    public const int ContentBlocked = -32001;
    /// <summary>Tool-policy or taint block.</summary>
    public const int PolicyBlocked = -32002;
    /// <summary>Kill switch active.</summary>
    public const int KillSwitch = -32004;
    /// <summary>Tool-chain block (same code as the kill switch in Pipelock).</summary>
    public const int ChainBlocked = -32004;
    /// <summary>Cross-request exfiltration (CEE) block.</summary>
    public const int CrossRequest = -32005;
    /// <summary>Invalid request, batch, oversize, denial-of-wallet.</summary>
    public const int InvalidRequest = -32600;
    /// <summary>Not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>
    /// Builds <c>{"jsonrpc":"2.0","id":&lt;id&gt;,"error":{"code":..,"message":..[,"data":..]}}</c> as UTF-8.
    /// <paramref name="idRaw"/> is the request id as raw JSON (from <see cref="JsonRpcMessage.IdRaw"/>); null or invalid ⇒ <c>null</c>.
    /// </summary>
    public static byte[] Build(string? idRaw, int code, string message, string? data = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WritePropertyName("id");
            if (IsValidIdRaw(idRaw)) w.WriteRawValue(idRaw!, skipInputValidation: true);
            else w.WriteNullValue();
            w.WriteStartObject("error");
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            if (data is not null) w.WriteString("data", data);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Same as <see cref="Build"/> as a string.</summary>
    public static string BuildString(string? idRaw, int code, string message, string? data = null) =>
        System.Text.Encoding.UTF8.GetString(Build(idRaw, code, message, data));

    /// <summary>Only a JSON string, number or null may be echoed: anything else would let a caller inject JSON into our reply.</summary>
    private static bool IsValidIdRaw(string? idRaw)
    {
        if (string.IsNullOrEmpty(idRaw) || idRaw.Length > 4096) return false;
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(idRaw));
            if (!reader.Read()) return false;
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null)) return false;
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
