using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Pipelock.Agent.Tests.Support;

/// <summary>What the in-process host harnesses share: a free loopback port, and the decision log as the agent writes it.</summary>
internal static class HarnessFiles
{
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The log's text so far (opened share-all: the agent's background writer still holds it).</summary>
    public static async Task<string> ReadTextAsync(string path)
    {
        if (!File.Exists(path)) return "";
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(f);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Every complete JSON line of the log so far (a line still being written is skipped).</summary>
    public static async Task<List<JsonElement>> ReadEventsAsync(string path)
    {
        var found = new List<JsonElement>();
        foreach (var line in (await ReadTextAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.EndsWith('}')) continue;
            using var doc = JsonDocument.Parse(line);
            found.Add(doc.RootElement.Clone());
        }
        return found;
    }
}
