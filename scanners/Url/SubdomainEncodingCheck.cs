using Pipelock.Scanners.Encoding;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Structural DNS-exfiltration signals for subdomain labels (the direction Pipelock took in PR #642), reported under
/// <c>subdomain_entropy</c>. Entropy alone misses short or low-alphabet encodings (hex tops out at 4 bits/char, an
/// 8-char label at 3), so labels are also decoded: hex, base32 (DNS is case-insensitive) and base64 (case kept) that
/// decode to mostly printable text are data, not names. Random IDs (CDN, R2 account ids) decode to binary noise and
/// pass. dnscat/iodine-style chunking (3+ hex labels of 8+ chars) is flagged by shape.
/// </summary>
internal static class SubdomainEncodingCheck
{
    private const int MinHexLabel = 12;
    private const int MinCodedLabel = 16;
    private const int MinChunkLabels = 3;
    private const int MinChunkLength = 8;

    public static Finding? Check(in ParsedUrl url)
    {
        if (url.Ip is not null) return null;
        var host = url.Host.AsSpan();
        var original = url.HostOriginal.AsSpan().TrimEnd('.');
        int labels = host.Count('.') + 1;
        if (labels < 3 || original.Length != host.Length) return null;
        int i = 0, hexRun = 0;
        foreach (var r in host.Split('.'))
        {
            if (i++ >= labels - 2) break;
            var label = host[r];
            bool hex = IsHex(label);
            hexRun = hex && label.Length >= MinChunkLength && label.ContainsAnyInRange('a', 'f') ? hexRun + 1 : 0;
            if (hexRun >= MinChunkLabels) return Make("hex-chunked subdomain labels", label);
            if (hex && label.Length >= MinHexLabel && GoHex.TryDecode(label, out var b) && Printable(b) >= 0.8)
                return Make("hex-encoded subdomain label", label);
            if (label.Length < MinCodedLabel) continue;
            if (IsBase32Lower(label) && label.Count('2') + label.Count('3') + label.Count('4') + label.Count('5') + label.Count('6') + label.Count('7') >= 2
                && GoBase32.TryDecode(label.ToString().ToUpperInvariant(), padded: false, out b) && Printable(b) >= 0.6)
                return Make("base32-encoded subdomain label", label);
            var orig = original[r];
            if (orig.ContainsAnyInRange('A', 'Z') && orig.ContainsAnyInRange('a', 'z')
                && (GoBase64.TryDecode(orig, GoBase64.Variant.RawUrl, out b) || GoBase64.TryDecode(orig, GoBase64.Variant.RawStd, out b))
                && b.Length >= 8 && Printable(b) >= 0.8)
                return Make("base64-encoded subdomain label", orig);
        }
        return null;
    }

    private static bool IsHex(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept("0123456789abcdef");

    private static bool IsBase32Lower(ReadOnlySpan<char> s) => !s.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz234567");

    private static double Printable(byte[] b)
    {
        if (b.Length < 6) return 0;
        int n = 0;
        foreach (var x in b) if (x is >= 0x20 and < 0x7f) n++;
        return (double)n / b.Length;
    }

    private static Finding Make(string rule, ReadOnlySpan<char> label) =>
        new(ScannerNames.SubdomainEntropy, rule, Severity.Medium, ScanAction.Block, Redaction.Redact(label));
}
