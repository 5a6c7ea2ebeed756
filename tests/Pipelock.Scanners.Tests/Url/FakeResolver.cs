using System.Net;
using Pipelock.Scanners.Url;

namespace Pipelock.Scanners.Tests.Url;

/// <summary>Resolver answering from a table; unknown names fail like NXDOMAIN.</summary>
public sealed class FakeResolver : IHostResolver
{
    private readonly Dictionary<string, IPAddress[]> _table = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Queries { get; } = [];

    public FakeResolver Add(string host, params string[] ips)
    {
        _table[host] = ips.Select(IPAddress.Parse).ToArray();
        return this;
    }

    public Func<string, CancellationToken, Task<IReadOnlyList<IPAddress>>>? Override { get; init; }

    public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Queries.Add(host);
        if (Override is not null) return await Override(host, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return _table.TryGetValue(host, out var ips) ? ips : throw new InvalidOperationException("no such host");
    }
}
