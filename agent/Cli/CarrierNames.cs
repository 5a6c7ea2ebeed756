namespace Pipelock.Agent.Cli;

/// <summary>The wire names of <see cref="Carrier"/> and <see cref="ScanKind"/> (snake_case, as in the JSONL format and CLI).</summary>
public static class CarrierNames
{
    public static readonly IReadOnlyList<string> CarrierWords =
        ["url", "header", "json_body", "form_body", "mcp_args", "http_response", "sse_stream", "mcp_result", "tools_list", "shell", "text", "mcp_session"];

    public static readonly IReadOnlyList<string> KindWords = ["dlp", "injection", "tool_poisoning", "shell", "url", "all"];

    public static bool TryParseCarrier(ReadOnlySpan<char> word, out Carrier carrier)
    {
        carrier = word switch
        {
            "text" => Carrier.Text,
            "url" => Carrier.Url,
            "header" => Carrier.Header,
            "json_body" => Carrier.JsonBody,
            "form_body" => Carrier.FormBody,
            "mcp_args" => Carrier.McpArgs,
            "http_response" => Carrier.HttpResponse,
            "sse_stream" => Carrier.SseStream,
            "mcp_result" => Carrier.McpResult,
            "tools_list" => Carrier.ToolsList,
            "mcp_session" => Carrier.McpSession,
            "shell" => Carrier.Shell,
            _ => (Carrier)(-1),
        };
        return (int)carrier >= 0;
    }

    public static ScanKind ParseKind(string? word) => word switch
    {
        null or "" or "all" => ScanKind.All,
        "dlp" => ScanKind.Dlp,
        "injection" => ScanKind.Injection,
        "tool_poisoning" => ScanKind.ToolPoisoning,
        "shell" => ScanKind.Shell,
        "url" => ScanKind.Url,
        _ => throw new ArgumentException($"unknown kind \"{word}\"; must be one of {string.Join(", ", KindWords)}"),
    };

    public static string ToWord(this Carrier carrier) => carrier switch
    {
        Carrier.Url => "url",
        Carrier.Header => "header",
        Carrier.JsonBody => "json_body",
        Carrier.FormBody => "form_body",
        Carrier.McpArgs => "mcp_args",
        Carrier.HttpResponse => "http_response",
        Carrier.SseStream => "sse_stream",
        Carrier.McpResult => "mcp_result",
        Carrier.ToolsList => "tools_list",
        Carrier.McpSession => "mcp_session",
        Carrier.Shell => "shell",
        _ => "text",
    };

    public static string ToWord(this ScanKind kind) => kind switch
    {
        ScanKind.Dlp => "dlp",
        ScanKind.Injection => "injection",
        ScanKind.ToolPoisoning => "tool_poisoning",
        ScanKind.Shell => "shell",
        ScanKind.Url => "url",
        _ => "all",
    };
}
