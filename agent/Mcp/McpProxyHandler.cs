using Microsoft.AspNetCore.Http;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Hosting;

namespace Pipelock.Agent.Mcp;

/// <summary>
/// The MCP reverse proxy on the MCP listener: POST JSON-RPC in front of the app's <c>/mcp</c>.
/// (Scanning path filled in by the MCP proxy work of issue #3; until then every request is refused.)
/// </summary>
public sealed class McpProxyHandler
{
    private readonly ProxyServices _s;
    private readonly Uri _upstream;

    public McpProxyHandler(ProxyServices services, Uri upstream)
    {
        _s = services;
        _upstream = upstream;
    }

    public Task HandleAsync(HttpContext ctx) =>
        ProxyResponses.ErrorAsync(ctx, StatusCodes.Status501NotImplemented, "MCP proxy to " + _upstream + " not implemented yet (" + _s.Version + ")");
}
