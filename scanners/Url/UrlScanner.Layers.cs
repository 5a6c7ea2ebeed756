using System.Net;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

public sealed partial class UrlScanner
{
    /// <summary>Layers 0–9. Returns the blocking verdict, or null; warn-only DLP findings accumulate in <paramref name="info"/>.</summary>
    private Verdict? PreDns(string? raw, out ParsedUrl u, ref Verdict info)
    {
        u = default;
        if (raw is null) return Verdict.Of(Block(ScannerNames.Parser, "invalid URL", Severity.High, "null URL"));
        // Step 0: Go url.Parse acceptance.
        if (!UrlParser.TryParse(raw, out u, out var error))
            return Verdict.Of(Block(ScannerNames.Parser, "invalid URL", Severity.High, Redaction.Excerpt(error)));
        // Step 1: only http/https can be fetched; anything else (file:, gopher:, javascript:) is refused outright.
        if (u.Scheme is not ("http" or "https"))
            return Verdict.Of(Block(ScannerNames.Scheme, "unsupported scheme", Severity.High, Redaction.Excerpt(u.Scheme.Length == 0 ? "(none)" : u.Scheme, 32)));
        if (u.Host.Length == 0) return Verdict.Of(Block(ScannerNames.Parser, "invalid URL", Severity.High, "missing host"));
        // Step 2: CRLF is never legitimate in a URL (header injection / request splitting).
        if (HasCrlf(raw.AsSpan(0, u.LengthWithoutFragment)))
            return Verdict.Of(Block(ScannerNames.CrlfInjection, "CRLF injection", Severity.High, "encoded CR/LF in URL"));
        // Step 3: traversal on the raw (still-encoded) path, so encoded dots cannot hide it.
        if (HasTraversal(u.RawPath))
            return Verdict.Of(Block(ScannerNames.PathTraversal, "path traversal", Severity.High, Redaction.Excerpt(u.RawPath, 64)));
        // Step 4: strict mode only fetches from the API allowlist.
        if (_o.Mode == ScanMode.Strict && !_allow.Matches(u.Host))
            return Verdict.Of(Block(ScannerNames.Allowlist, "not in api_allowlist", Severity.High, Redaction.Excerpt(u.Host, 64)));
        // Step 5: known exfiltration sinks, before any DNS.
        if (_block.Matches(u.Host))
            return Verdict.Of(Block(ScannerNames.Blocklist, "blocked domain", Severity.High, Redaction.Excerpt(u.Host, 64)));
        // Step 6: core SSRF on IP literals when the full SSRF layer is off (core ranges cannot be disabled).
        if (!SsrfActive && u.Ip is not null && Internal(u.Ip, _core) is { } core)
            return Verdict.Of(core with { Scanner = ScannerNames.CoreSsrf });

        // Step 7: DLP on every URL part, before DNS.
        var decodedPath = u.RawPath.IndexOf('%') < 0 ? u.RawPath.ToString() : UrlCodec.TryUnescape(u.Raw, u.PathStart, u.PathLength, false, out var p) ? p : u.RawPath.ToString();
        var query = u.HasQuery ? QueryParam.Parse(u.RawQuery, out _) : null;
        var dlp = UrlDlpCheck.Run(_dlp, u, query, decodedPath);
        if (dlp.HasEnforceable) return dlp;
        info = dlp;

        // Steps 8–9: entropy on path/query, then subdomain labels (both skip hosts excluded by config).
        bool excluded = _entropyExcluded.Matches(u.Host);
        if (UrlEntropyCheck.Check(u, decodedPath, query, _o.EntropyThreshold, excluded) is { } ef) return With(info, ef);
        if (!excluded && (UrlEntropyCheck.CheckSubdomains(u, _o.SubdomainEntropyThreshold) ?? SubdomainEncodingCheck.Check(u)) is { } sf) return With(info, sf);
        return null;
    }

    private static bool HasCrlf(ReadOnlySpan<char> s)
    {
        if (s.IndexOfAny('\r', '\n') >= 0) return true;
        for (int i = s.IndexOf('%'); i >= 0 && i < s.Length; i++)
        {
            if (s[i] != '%') continue;
            var rest = s[(i + 1)..];
            if (rest.StartsWith("0a", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("0d", StringComparison.OrdinalIgnoreCase)
                || rest.StartsWith("250a", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("250d", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private static readonly string[] Separators = ["/", "\\", "%2f", "%5c"];
    private static readonly string[] DotDots = ["..", "%2e.", ".%2e", "%2e%2e"];

    /// <summary>&lt;sep&gt;&lt;dd&gt;&lt;sep&gt; or a trailing &lt;sep&gt;&lt;dd&gt;, plus double-encoded %252e%252e.</summary>
    private static bool HasTraversal(ReadOnlySpan<char> path)
    {
        if (path.IndexOfAny('.', '%') < 0) return false;
        if (path.Contains("%252e%252e", StringComparison.OrdinalIgnoreCase)) return true;
        for (int i = 0; i < path.Length; i++)
        {
            int s1 = SepAt(path, i);
            if (s1 == 0) continue;
            foreach (var dd in DotDots)
            {
                int j = i + s1;
                if (!path[j..].StartsWith(dd, StringComparison.OrdinalIgnoreCase)) continue;
                int k = j + dd.Length;
                if (k == path.Length || SepAt(path, k) > 0) return true;
            }
        }
        return false;
    }

    private static int SepAt(ReadOnlySpan<char> s, int i)
    {
        foreach (var sep in Separators)
            if (s[i..].StartsWith(sep, StringComparison.OrdinalIgnoreCase)) return sep.Length;
        return 0;
    }

    /// <summary>A finding when <paramref name="ip"/> is in <paramref name="ranges"/> and not in ssrf.ip_allowlist.</summary>
    private Finding? Internal(IPAddress ip, IPNetwork[] ranges)
    {
        ip = IpLiteral.Normalize(ip);
        foreach (var n in ranges)
        {
            if (!n.Contains(ip)) continue;
            foreach (var a in _ipAllow) if (a.Contains(ip)) return null;
            return Block(ScannerNames.Ssrf, "internal address", Severity.Critical, $"{ip} is in {n}");
        }
        return null;
    }

    /// <summary>Step 10: resolve once, reject if ANY address is internal (unless trusted / allowlisted), return all.</summary>
    private async ValueTask<(IReadOnlyList<IPAddress> Addresses, Finding? Failure)> ResolveAndCheckAsync(string host, CancellationToken ct)
    {
        if (_resolver is null)
            return ([], Block(ScannerNames.Ssrf, "DNS resolution failed", Severity.High, "no resolver configured"));
        IReadOnlyList<IPAddress> resolved;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            cts.CancelAfter(_o.DnsTimeout);
            try
            {
                resolved = await _resolver.ResolveAsync(host, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ([], Cancelled());
            }
            catch (OperationCanceledException)
            {
                return ([], Block(ScannerNames.Ssrf, "DNS resolution failed", Severity.High, "DNS lookup timed out"));
            }
#pragma warning disable CA1031 // Any resolver failure must fail closed, whatever its type.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return ([], Block(ScannerNames.Ssrf, "DNS resolution failed", Severity.High, Redaction.Excerpt(e.Message, 80)));
            }
        }
        if (resolved is null || resolved.Count == 0)
            return ([], Block(ScannerNames.Ssrf, "DNS resolution failed", Severity.High, "no addresses"));
        return CheckAddresses(host, resolved);
    }

    /// <summary>
    /// Rejects the list if ANY address is internal (unless the host is trusted or the range allowlisted); returns the
    /// normalised list otherwise. Shared by the resolved path and by flows whose address the client already chose.
    /// </summary>
    private (IReadOnlyList<IPAddress> Addresses, Finding? Failure) CheckAddresses(string host, IReadOnlyList<IPAddress> addresses)
    {
        var list = new IPAddress[addresses.Count];
        for (int i = 0; i < list.Length; i++) list[i] = IpLiteral.Normalize(addresses[i]);
        if (!_trusted.Matches(host))
        {
            foreach (var ip in list)
            {
                if (Internal(ip, _internal) is not { } f) continue;
                if (_allow.Matches(host))
                    f = f with { Evidence = f.Evidence + "; host is in api_allowlist: add it to trusted_domains or the range to ssrf.ip_allowlist" };
                return ([], f);
            }
        }
        return (list, null);
    }
}
