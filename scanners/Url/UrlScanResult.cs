using System.Net;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Result of <see cref="UrlScanner.ScanAsync"/>. <see cref="Addresses"/> are the addresses the SSRF layer resolved and
/// validated: the proxy must dial one of these and never re-resolve, which closes the scan-vs-connect rebinding window.
/// Empty when blocked, or when SSRF checking is off and the host is a name (the caller then resolves itself).
/// </summary>
public sealed class UrlScanResult
{
    internal static readonly IReadOnlyList<IPAddress> NoAddresses = Array.Empty<IPAddress>();

    public UrlScanResult(Verdict verdict, string host, int port, IReadOnlyList<IPAddress> addresses)
    {
        Verdict = verdict;
        Host = host;
        Port = port;
        Addresses = addresses;
    }

    public Verdict Verdict { get; }

    /// <summary>Canonical host (lower-case, no trailing dot; canonical IP text for IP literals). Empty when unparsable.</summary>
    public string Host { get; }

    /// <summary>Explicit port, or 80/443 from the scheme; 0 when unparsable.</summary>
    public int Port { get; }

    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>True when a non-informational finding asks to block.</summary>
    public bool Blocked => Verdict.Action == ScanAction.Block;
}
