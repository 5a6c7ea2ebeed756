namespace Pipelock.Agent.Cli;

/// <summary>
/// Where the scanned text was found (<c>where</c> in JSONL records, <c>--where</c> on the command line). It tells
/// the scanner how to parse and normalise the text (a URL is decoded, a JSON body is walked, SSE is split into
/// events, a tools/list result is read per tool) and which section's action applies.
/// </summary>
public enum Carrier
{
    /// <summary>Free text (default).</summary>
    Text = 0,
    Url,
    /// <summary>One HTTP header, "Name: value".</summary>
    Header,
    JsonBody,
    FormBody,
    /// <summary>MCP tools/call arguments (JSON object) or a whole JSON-RPC request.</summary>
    McpArgs,
    HttpResponse,
    SseStream,
    McpResult,
    /// <summary>A tools/list result (JSON-RPC response or its result object).</summary>
    ToolsList,
    /// <summary>A shell command line (tool-policy arguments).</summary>
    Shell,
    /// <summary>A JSON array of JSON-RPC messages scanned in order as one MCP session (binding, chains, drift included).</summary>
    McpSession,
}
