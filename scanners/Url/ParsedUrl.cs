using System.Net;

namespace Pipelock.Scanners.Url;

/// <summary>A URL split the way Go's url.Parse splits it; ranges point into <see cref="Raw"/> so parsing allocates little.</summary>
internal readonly struct ParsedUrl
{
    public string Raw { get; init; }

    /// <summary>Lower-case scheme ("" when none).</summary>
    public string Scheme { get; init; }

    /// <summary>Lower-case host, trailing dot removed, IP literals in canonical text. "" when none.</summary>
    public string Host { get; init; }

    /// <summary>Host as written (case kept, brackets/port removed): subdomain payloads are case-sensitive (base64).</summary>
    public string HostOriginal { get; init; }

    public IPAddress? Ip { get; init; }

    /// <summary>Explicit port or -1.</summary>
    public int Port { get; init; }

    public int PathStart { get; init; }
    public int PathLength { get; init; }

    /// <summary>Start of the raw query (after '?'), or -1.</summary>
    public int QueryStart { get; init; }
    public int QueryLength { get; init; }

    /// <summary>Length of the URL without its fragment.</summary>
    public int LengthWithoutFragment { get; init; }

    public ReadOnlySpan<char> RawPath => Raw.AsSpan(PathStart, PathLength);
    public ReadOnlySpan<char> RawQuery => QueryStart < 0 ? default : Raw.AsSpan(QueryStart, QueryLength);
    public bool HasQuery => QueryStart >= 0 && QueryLength > 0;

    public int EffectivePort => Port >= 0 ? Port : Scheme == "https" ? 443 : Scheme == "http" ? 80 : 0;
}
