using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>The real clients the forward-proxy tests drive, each through the proxy setting it honours.</summary>
public enum ProxyClient
{
    /// <summary>Ruby Net::HTTP with HTTP_PROXY (what it reads, also for https URLs).</summary>
    NetHttp,

    /// <summary>Ruby Faraday (net_http adapter) with HTTPS_PROXY for https URLs, HTTP_PROXY for http ones.</summary>
    Faraday,

    /// <summary>curl --proxy.</summary>
    Curl,
}

/// <summary>One client's answer, whatever the client: status, body (text and the SHA-256 of its bytes) and headers.</summary>
/// <see cref="Proxy"/> is the proxy the client says it used (host:port; for curl, the one it was given).
public sealed record ClientResponse(int? Status, string Body, string? BodySha256, IReadOnlyDictionary<string, string> Headers, string? Error, string Raw, string? Proxy)
{
    public bool Succeeded => Error is null && Status is not null;

    public override string ToString() => Raw;
}

/// <summary>Runs a request through a proxy with <see cref="RubyClients"/> or <see cref="Curl"/> and normalises the answer.</summary>
public static class ProxyClients
{
    public static async Task<ClientResponse> SendAsync(ProxyClient client, Uri proxy, string url, string method = "GET", string? body = null,
        IDictionary<string, string>? headers = null, string? caFile = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        if (client == ProxyClient.Curl)
        {
            var c = await Curl.RequestAsync(url, new CurlRequest
            {
                Method = method,
                Body = body,
                Headers = headers ?? new Dictionary<string, string>(),
                Proxy = proxy,
                CaFile = caFile,
                Timeout = limit,
            }).ConfigureAwait(false);
            var ok = c.ExitCode == 0 && c.HttpStatus > 0;
            return new ClientResponse(ok ? c.HttpStatus : null, c.Body, Convert.ToHexStringLower(SHA256.HashData(c.BodyBytes)),
                c.Headers, ok ? null : $"curl exit {c.ExitCode}", c.ToString(), $"{proxy.Host}:{proxy.Port}");
        }

        var ruby = client == ProxyClient.NetHttp ? RubyClient.NetHttp : RubyClient.Faraday;
        // Faraday reads HTTPS_PROXY for https URLs and HTTP_PROXY for http ones; Net::HTTP reads HTTP_PROXY only.
        var env = new Dictionary<string, string>();
        Uri? proxyVar = proxy;
        if (ruby == RubyClient.Faraday && url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            env["HTTP_PROXY"] = proxy.ToString().TrimEnd('/');
            proxyVar = null;
        }
        var r = await RubyClients.RequestAsync(ruby, url, method, body, headers, caFile, proxyVar, env, limit).ConfigureAwait(false);
        var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in r.Headers ?? new Dictionary<string, JsonElement>())
            h[k] = v.ValueKind == JsonValueKind.Array ? string.Join(", ", v.EnumerateArray().Select(e => e.ToString())) : v.ToString();
        return new ClientResponse(r.Succeeded ? r.Status : null, r.Body ?? "", r.BodySha256, h, r.Succeeded ? null : r.Error ?? $"ruby exit {r.ExitCode}", r.ToString(), r.Proxy);
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
