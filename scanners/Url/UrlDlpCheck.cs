using System.Collections.Immutable;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Url;

/// <summary>
/// URL DLP (Pipelock's checkDLP, catalogue §1.5), run before DNS so a secret cannot leak through the lookup itself.
/// Targets that are plain substrings of the raw URL are not repeated (the full-URL target already covers them);
/// everything else is joined into one pattern-only call, decoded tokens get one call per encoding, and query
/// subsequences (secrets split across parameters) are batched.
/// </summary>
internal static class UrlDlpCheck
{
    private const int MinTargetLength = 8;
    private const int MinSegmentDecodeLength = 10;
    private const int MaxSubsequenceValues = 20;
    private const int MinSubsequenceLength = 12;
    private const int MaxSubsequencePart = 512;
    private const int SubsequenceBatchChars = 16 * 1024;
    private const int SubsequenceBudgetChars = 256 * 1024;
    private const int SeedMinWords = 12;

    public static Verdict Run(IDlpScanner dlp, in ParsedUrl url, List<QueryParam>? query, string decodedPath)
    {
        string? host = url.Host.Length > 0 ? url.Host : null;
        var decoded = Decoded ??= new List<(string Text, string Encoding)>();
        decoded.Clear();
        Verdict plain;
        using (var j = new TargetJoiner(url.Raw.Length * 2 + 64))
        {
            j.Add(url.Raw);
            if (!decodedPath.AsSpan().SequenceEqual(url.RawPath)) j.Add(decodedPath);
            var iterPath = url.RawPath.IndexOf('%') >= 0 ? UrlCodec.LenientIterativeDecode(url.RawPath.ToString()) : decodedPath;
            if (iterPath != decodedPath) j.Add(iterPath);
            j.AddNoiseStripped(iterPath, MinTargetLength);
            foreach (var seg in iterPath.AsSpan().Split('/'))
                if (seg.End.Value - seg.Start.Value >= MinSegmentDecodeLength) TokenDecoders.Decode(iterPath.AsSpan()[seg], decoded);

            if (url.HasQuery && url.RawQuery.IndexOfAny('%', '+') >= 0) j.Add(UrlCodec.LenientIterativeDecode(url.RawQuery.ToString()));
            if (query is not null)
            {
                foreach (var p in query)
                {
                    if (p.KeyChanged) j.Add(p.Key);
                    if (p.ValueChanged) j.Add(p.Value);
                    j.AddNoiseStripped(p.Key, MinTargetLength);
                    j.AddNoiseStripped(p.Value, MinTargetLength);
                    TokenDecoders.Decode(p.Key, decoded);
                    TokenDecoders.Decode(p.Value, decoded);
                }
                if (query.Count > 1) AddConcatenation(j, query);
            }

            // Label concatenation (sk-ant-api03-AAAA.BBBB.evil.com): case kept, base64 labels are case-sensitive.
            var h = url.HostOriginal.AsSpan();
            if (url.Ip is null && h.Count('.') >= 2)
            {
                j.AddNoiseStripped(h, MinTargetLength);
                foreach (var label in h.Split('.'))
                    if (label.End.Value - label.Start.Value >= MinSegmentDecodeLength) TokenDecoders.Decode(h[label], decoded);
            }
            plain = dlp.MatchTarget(j.ToString(), host);
        }

        // One level deeper for decoded payloads (base64 of hex and similar), bounded by the token count.
        int firstLevel = decoded.Count;
        for (int i = 0; i < firstLevel; i++) TokenDecoders.Decode(decoded[i].Text, decoded);

        bool seeds = HasSeedCandidate(url, query, decodedPath);
        bool context = HasCredentialLengthValue(query);
        if (decoded.Count == 0 && query is not { Count: >= 3 } && !seeds && !context) return Relabel(plain);

        var parts = new List<Verdict>(4) { plain };
        foreach (var enc in Encodings)
        {
            string? joined = null;
            foreach (var (t, e) in decoded) if (e == enc) joined = joined is null ? t : joined + " " + t;
            if (joined is not null) parts.Add(dlp.MatchTarget(joined, host, enc));
        }
        if (query is { Count: >= 3 }) Subsequences(dlp, query, host, parts);
        // Context detectors (keyword = value assignments, split secrets) live in the text pipeline only; a query is
        // a list of assignments, so it gets one text scan when some value is long enough to be a credential.
        if (context && !seeds) parts.Add(dlp.ScanText(QueryAsText(query!), host));
        if (seeds) SeedPhrases(dlp, url, query, iterPath: decodedPath, host, parts);
        decoded.Clear();
        return Relabel(Verdict.Combine(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parts)));
    }

    private static readonly string[] Encodings = ["base64", "hex", "base32"];

    /// <summary>Per-thread scratch list: decoded tokens are rare, the list itself need not be allocated per URL.</summary>
    [ThreadStatic] private static List<(string Text, string Encoding)>? Decoded;

    /// <summary>Cheap pre-check so clean URLs never build the seed-phrase text.</summary>
    private static bool HasSeedCandidate(in ParsedUrl url, List<QueryParam>? query, string path)
    {
        int words = CountWords(path);
        if (query is not null) foreach (var p in query) { words += CountWords(p.Value); if (words >= SeedMinWords) return true; }
        if (url.Ip is null) words += CountWords(url.Host);
        return words >= SeedMinWords;
    }

    private const int MinCredentialValue = 16;

    private static bool HasCredentialLengthValue(List<QueryParam>? query)
    {
        if (query is null) return false;
        foreach (var p in query) if (p.Value.Length >= MinCredentialValue) return true;
        return false;
    }

    /// <summary>"k=v" lines in wire order (decoded), the shape assignment detectors expect.</summary>
    private static string QueryAsText(List<QueryParam> query)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var p in query)
        {
            if (sb.Length > 0) sb.Append('\n');
            if (p.Key.Length > 0) sb.Append(p.Key).Append('=');
            sb.Append(p.Value);
        }
        return sb.ToString();
    }

    private static void AddConcatenation(TargetJoiner j, List<QueryParam> query)
    {
        int total = 0;
        foreach (var p in query) total += p.Value.Length;
        if (total < MinTargetLength) return;
        var concat = string.Create(total, query, static (dst, q) =>
        {
            int o = 0;
            foreach (var p in q) { p.Value.CopyTo(dst[o..]); o += p.Value.Length; }
        });
        j.Add(concat);
        j.AddNoiseStripped(concat, MinTargetLength);
    }

    /// <summary>Ordered combinations of 2–4 of the first 20 values (catches ?a=sk-&amp;x=junk&amp;b=ant-…).</summary>
    private static void Subsequences(IDlpScanner dlp, List<QueryParam> query, string? host, List<Verdict> parts)
    {
        int n = Math.Min(query.Count, MaxSubsequenceValues);
        var values = new string[n];
        for (int i = 0; i < n; i++) values[i] = query[i].Value.Length > MaxSubsequencePart ? query[i].Value[..MaxSubsequencePart] : query[i].Value;
        using var j = new TargetJoiner(SubsequenceBatchChars);
        int budget = SubsequenceBudgetChars;
        Span<int> idx = stackalloc int[4];
        Span<char> buf = stackalloc char[4 * MaxSubsequencePart];
        for (int k = 2; k <= 4 && k <= n && budget > 0; k++)
        {
            for (int i = 0; i < k; i++) idx[i] = i;
            while (budget > 0)
            {
                int len = 0;
                for (int i = 0; i < k; i++) len += values[idx[i]].Length;
                if (len >= MinSubsequenceLength)
                {
                    int o = 0;
                    for (int i = 0; i < k; i++) { values[idx[i]].CopyTo(buf[o..]); o += values[idx[i]].Length; }
                    j.Add(buf[..len]);
                    budget -= len;
                    if (j.Length >= SubsequenceBatchChars) { parts.Add(dlp.MatchTarget(j.ToString(), host, "split")); j.Clear(); }
                }
                if (!NextCombination(idx[..k], n)) break;
            }
        }
        if (j.Length > 0) parts.Add(dlp.MatchTarget(j.ToString(), host, "split"));
    }

    private static bool NextCombination(Span<int> idx, int n)
    {
        int k = idx.Length;
        int i = k - 1;
        while (i >= 0 && idx[i] == n - k + i) i--;
        if (i < 0) return false;
        idx[i]++;
        for (int m = i + 1; m < k; m++) idx[m] = idx[m - 1] + 1;
        return true;
    }

    /// <summary>
    /// Seed phrases need the full text pipeline (word lists, checksums), so the seed-safe targets (path segments,
    /// query values, host labels, space-joined) go through ScanText — only when there are enough words to form one.
    /// </summary>
    private static void SeedPhrases(IDlpScanner dlp, in ParsedUrl url, List<QueryParam>? query, string iterPath, string? host, List<Verdict> parts)
    {
        using var j = new TargetJoiner();
        foreach (var seg in iterPath.AsSpan().Split('/')) j.Add(iterPath.AsSpan()[seg]);
        if (query is not null) foreach (var p in query) j.Add(p.Value);
        if (url.Ip is null) foreach (var l in url.Host.AsSpan().Split('.')) j.Add(url.Host.AsSpan()[l]);
        parts.Add(dlp.ScanText(j.ToString(), host));
    }

    /// <summary>Runs of 3–8 ASCII letters: BIP-39 words are 3–8 letters long.</summary>
    private static int CountWords(ReadOnlySpan<char> s)
    {
        int words = 0, run = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiLetter(c)) { run++; continue; }
            if (run is >= 3 and <= 8) words++;
            run = 0;
        }
        if (run is >= 3 and <= 8) words++;
        return words;
    }

    /// <summary>URL findings carry URL labels; offsets into joined targets mean nothing to a caller.</summary>
    private static Verdict Relabel(Verdict v)
    {
        if (v.IsClean) return v;
        var b = ImmutableArray.CreateBuilder<Finding>(v.Findings.Length);
        foreach (var f in v.Findings)
        {
            var scanner = f.Scanner is ScannerNames.CoreDlp or ScannerNames.SeedPhrase or ScannerNames.Canary ? f.Scanner : ScannerNames.Dlp;
            b.Add(f with { Scanner = scanner, Position = -1 });
        }
        return new Verdict(b.MoveToImmutable());
    }
}
