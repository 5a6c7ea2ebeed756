using System.Security.Cryptography;

namespace Pipelock.Scanners.Mcp.Session;

/// <summary>
/// The key per-session MCP state hangs on. <c>Mcp-Session-Id</c> when the server issued one; otherwise (Sure's /mcp
/// never issues ids) a SHA-256 of the bearer token and the client address, so two users behind one address or one
/// token used from two machines stay apart, and the token itself is never kept in memory as a key.
/// </summary>
public static class SessionKey
{
    public const int MaxSessionIdLength = 256;

    /// <param name="mcpSessionId">The Mcp-Session-Id header, if any.</param>
    /// <param name="authorization">The Authorization header value ("Bearer …"), if any.</param>
    /// <param name="clientAddress">Remote address of the client.</param>
    public static string For(string? mcpSessionId, string? authorization, string? clientAddress)
    {
        if (!string.IsNullOrWhiteSpace(mcpSessionId))
        {
            var sid = mcpSessionId.Trim();
            // Long ids are hashed so an attacker cannot make us hold arbitrarily large keys.
            return sid.Length <= MaxSessionIdLength ? "sid:" + sid : "sid#" + Sha(sid);
        }
        var token = BearerToken(authorization) ?? "";
        return "tok:" + Sha(token + "\0" + (clientAddress ?? ""));
    }

    /// <summary>The token of "Bearer &lt;token&gt;" (scheme case-insensitive, as Sure parses it), else null.</summary>
    public static string? BearerToken(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization)) return null;
        var a = authorization.Trim();
        if (a.Length > 7 && a.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) && char.IsWhiteSpace(a[6]))
            return a[7..].Trim();
        return null;
    }

    private static string Sha(string s) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
}
