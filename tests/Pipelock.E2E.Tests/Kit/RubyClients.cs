using System.Text.Json;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>The Ruby HTTP clients Sure uses (sure-integration.md §3.1).</summary>
public enum RubyClient
{
    /// <summary>Net::HTTP.new(host, port): proxy from http_proxy/HTTP_PROXY (also for https), never HTTPS_PROXY.</summary>
    NetHttp,

    /// <summary>Faraday, net_http adapter: proxy from https_proxy/HTTPS_PROXY for https URLs (http_proxy for http).</summary>
    Faraday,

    /// <summary>HTTParty: Net::HTTP underneath, so HTTP_PROXY only.</summary>
    HttParty,
}

/// <summary>What a Ruby client printed. <see cref="Error"/> is "Class: message" when it raised (e.g. OpenSSL::SSL::SSLError).</summary>
public sealed record RubyResult(
    int ExitCode, int? Status, string? Body, string? BodySha256, string? Proxy, string? Error,
    IReadOnlyDictionary<string, JsonElement>? Headers, ProcessResult Raw)
{
    public bool Succeeded => ExitCode == 0 && Error is null && Status is not null;

    public override string ToString() => Raw.ToString();
}

/// <summary>
/// Runs the scripts under Kit/Ruby (copied next to the test assembly) with a request spec on stdin. Trust: the CA
/// file goes in SSL_CERT_FILE in the process environment at start, which is the only setting every Ruby client honours
/// (OpenSSL's DEFAULT_CERT_STORE is built at require time). Note for proxied tests: Net::HTTP, HTTParty and Faraday
/// all skip the proxy when the target host resolves to 127.x or ::1, so address the upstream by a name that does
/// not resolve locally (e.g. upstream.test) and let the proxy map it.
/// </summary>
public static class RubyClients
{
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Kit", "Ruby");

    public static string ScriptPath(RubyClient client) => Path.Combine(ScriptDirectory, client switch
    {
        RubyClient.NetHttp => "net_http_client.rb",
        RubyClient.Faraday => "faraday_client.rb",
        RubyClient.HttParty => "httparty_client.rb",
        _ => throw new ArgumentOutOfRangeException(nameof(client)),
    });

    /// <summary>The proxy variable each client honours for an https URL, as Sure's compose sets them.</summary>
    public static string ProxyVariable(RubyClient client) => client == RubyClient.Faraday ? "HTTPS_PROXY" : "HTTP_PROXY";

    /// <param name="proxy">When set, exported as <see cref="ProxyVariable"/> for this client (e.g. http://127.0.0.1:8888).</param>
    /// <param name="caFile">Exported as SSL_CERT_FILE (null: the system default store).</param>
    /// <param name="env">Further variables (e.g. NO_PROXY, or HTTPS_PROXY for Net::HTTP to show it is ignored).</param>
    /// <param name="topology">With <paramref name="ns"/>: run inside that network namespace (as root), e.g. a transparent-mode client.</param>
    public static async Task<RubyResult> RequestAsync(
        RubyClient client, string url, string method = "GET", string? body = null,
        IDictionary<string, string>? headers = null, string? caFile = null, Uri? proxy = null,
        IDictionary<string, string>? env = null, TimeSpan? timeout = null, NetnsTopology? topology = null, string? ns = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var childEnv = new Dictionary<string, string>(env ?? new Dictionary<string, string>());
        if (caFile is not null) childEnv["SSL_CERT_FILE"] = caFile;
        if (proxy is not null) childEnv[ProxyVariable(client)] = proxy.ToString().TrimEnd('/');
        var spec = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["url"] = url,
            ["method"] = method,
            ["body"] = body,
            ["headers"] = headers ?? new Dictionary<string, string>(),
            ["read_timeout"] = Math.Max(1, (int)limit.TotalSeconds - 5),
        });
        // -W0: Ruby's "HTTP_PROXY is discouraged"-style warnings would only clutter stderr.
        var raw = topology is not null && ns is not null && OperatingSystem.IsLinux()
            ? await topology.ExecAsync(ns, "ruby", ["-W0", ScriptPath(client)], childEnv, spec, limit).ConfigureAwait(false)
            : await ProcessRunner.RunAsync("ruby", ["-W0", ScriptPath(client)], childEnv, spec, limit).ConfigureAwait(false);
        return Parse(raw);
    }

    private static RubyResult Parse(ProcessResult raw)
    {
        const string marker = "PIPELOCK-RESULT ";
        var line = raw.Stdout.Split('\n').LastOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal));
        if (line is null) return new RubyResult(raw.ExitCode, null, null, null, null, "no result line (script crashed?)", null, raw);
        using var doc = JsonDocument.Parse(line[marker.Length..]);
        var r = doc.RootElement;
        string? Str(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int? status = r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : null;
        Dictionary<string, JsonElement>? headers = null;
        if (r.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            headers = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in h.EnumerateObject()) headers[p.Name] = p.Value.Clone();
        }
        return new RubyResult(raw.ExitCode, status, Str("body"), Str("body_sha256"), Str("proxy"), Str("error"), headers, raw);
    }
}
