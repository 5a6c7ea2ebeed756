namespace Pipelock.Agent.Config;

/// <summary><c>scan_api</c>: the HTTP scan endpoint (off while <see cref="Listen"/> is empty).</summary>
public sealed record ScanApiConfig
{
    public string Listen { get; init; } = "";
    public int RequestsPerMinute { get; init; } = 600;
    public int Burst { get; init; } = 50;
    public long MaxBodyBytes { get; init; } = 1024 * 1024;
    public int UrlFieldLimit { get; init; } = 8192;
    public int TextFieldLimit { get; init; } = 512 * 1024;
    public int ContentFieldLimit { get; init; } = 512 * 1024;
    public int ArgumentsFieldLimit { get; init; } = 512 * 1024;
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan ScanTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int ConnectionLimit { get; init; } = 100;
    public bool KindUrl { get; init; } = true;
    public bool KindDlp { get; init; } = true;
    public bool KindPromptInjection { get; init; } = true;
    public bool KindToolCall { get; init; } = true;
}
