using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Pipelock's checkEntropy / checkSubdomainEntropy (catalogue §1.7). High-entropy path segments and query parts
/// (≥ 20 runes, &gt; threshold) look like encoded data; long random subdomain labels look like DNS tunnelling.
/// Hex digests (≤ 4 bits/char) and UUIDs (~3.9) stay under the 4.5 default; base64 tokens and JWTs (~5+) do not.
/// </summary>
internal static class UrlEntropyCheck
{
    private const int MinLength = 20;
    private const int MinLabelLength = 8;

    public static Finding? Check(in ParsedUrl url, string decodedPath, List<QueryParam>? query, double threshold, bool pathExcluded)
    {
        if (!pathExcluded)
        {
            foreach (var r in decodedPath.AsSpan().Split('/'))
            {
                var seg = decodedPath.AsSpan()[r];
                if (High(seg, threshold, out var h)) return Make(ScannerNames.Entropy, "high entropy path segment", seg, h);
            }
        }
        if (query is null) return null;
        foreach (var p in query)
        {
            if (High(p.Key, threshold, out var h)) return Make(ScannerNames.Entropy, "high entropy query key", p.Key, h);
            if (High(p.Value, threshold, out h)) return Make(ScannerNames.Entropy, "high entropy query value", p.Value, h);
        }
        return null;
    }

    public static Finding? CheckSubdomains(in ParsedUrl url, double threshold)
    {
        if (url.Ip is not null) return null;
        var host = url.Host.AsSpan();
        int labels = host.Count('.') + 1;
        if (labels < 3) return null;
        int i = 0;
        foreach (var r in host.Split('.'))
        {
            if (i++ >= labels - 2) break;
            var label = host[r];
            if (label.Length < MinLabelLength) continue;
            double h = Encoding.ShannonEntropy.BitsPerChar(label);
            if (h > threshold)
                return Make(ScannerNames.SubdomainEntropy, "high entropy subdomain", label, h);
        }
        return null;
    }

    private static bool High(ReadOnlySpan<char> s, double threshold, out double h)
    {
        h = 0;
        if (s.Length < MinLength || RuneCount(s) < MinLength) return false;
        h = Encoding.ShannonEntropy.BitsPerChar(s);
        return h > threshold;
    }

    private static int RuneCount(ReadOnlySpan<char> s)
    {
        int n = s.Length;
        foreach (var c in s) if (char.IsLowSurrogate(c)) n--;
        return n;
    }

    private static Finding Make(string scanner, string rule, ReadOnlySpan<char> s, double h) =>
        new(scanner, rule, Severity.Medium, ScanAction.Block,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Redaction.Redact(s)} ({h:F2} bits/char)"));
}
