using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// The official MCP C# SDK (ModelContextProtocol 2.4.0) client over HTTP, as an MCP host would run it: bearer token
/// header, Streamable HTTP by default. Captures the SDK's own log lines so a test can show what it did.
/// </summary>
public sealed class McpSdkClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggers;

    private McpSdkClient(McpClient client, HttpClient http, ILoggerFactory loggers, CapturingLoggerProvider log)
    {
        Client = client;
        _http = http;
        _loggers = loggers;
        LogProvider = log;
    }

    /// <summary>The SDK client, for anything the wrapper does not cover.</summary>
    public McpClient Client { get; }

    internal CapturingLoggerProvider LogProvider { get; }

    /// <summary>The SDK's log lines so far ("Level Category: message").</summary>
    public IReadOnlyList<string> Log => LogProvider.Lines;

    /// <summary>
    /// Connects (runs initialize) to <paramref name="endpoint"/>. <paramref name="proxy"/> sends it through a forward
    /// proxy; <paramref name="trustedCa"/> is the only root accepted for an https endpoint (e.g. the agent's CA).
    /// </summary>
    public static async Task<McpSdkClient> ConnectAsync(
        Uri endpoint, string? bearerToken, HttpTransportMode mode = HttpTransportMode.StreamableHttp,
        Uri? proxy = null, X509Certificate2? trustedCa = null, bool? enableStandaloneGetStream = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var handler = new SocketsHttpHandler { UseProxy = proxy is not null, Proxy = proxy is null ? null : new WebProxy(proxy) };
        if (trustedCa is not null)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { trustedCa },
                RevocationMode = X509RevocationMode.NoCheck,
            };
        }
        var http = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        var log = new CapturingLoggerProvider();
        var loggers = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        var options = new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = mode,
            Name = "pipelock-e2e",
            ConnectionTimeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        if (bearerToken is not null) options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + bearerToken };
        if (enableStandaloneGetStream is { } get) options.EnableStandaloneGetStream = get;
        try
        {
            var transport = new HttpClientTransport(options, http, loggers, ownsHttpClient: false);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
            var client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "pipelock-e2e", Version = "1.0" },
            }, loggers, cts.Token).ConfigureAwait(false);
            return new McpSdkClient(client, http, loggers, log);
        }
        catch
        {
            http.Dispose();
            loggers.Dispose();
            throw;
        }
    }

    public async Task<IList<McpClientTool>> ListToolsAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await Client.ListToolsAsync(cancellationToken: cts.Token).ConfigureAwait(false);
    }

    public async Task<CallToolResult> CallToolAsync(string name, IReadOnlyDictionary<string, object?>? arguments = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await Client.CallToolAsync(name, arguments, cancellationToken: cts.Token).ConfigureAwait(false);
    }

    /// <summary>The text of every text content block, concatenated.</summary>
    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await Client.DisposeAsync().AsTask().WaitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _http.Dispose();
        _loggers.Dispose();
    }
}

/// <summary>Collects log lines from any ILogger in memory (the MCP SDK's, here).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly RecordList<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.Snapshot();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, RecordList<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
    }
}
