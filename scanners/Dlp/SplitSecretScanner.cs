using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Secrets split across fields (MCP arguments, JSON values, form fields): Pipelock's split-secret pass. The values
/// are scanned concatenated without separator, then every ordered pair (earlier value + later value) is matched.
/// At most 64 fields take part (the first 32 and the last 32 when there are more), so the pair pass is bounded
/// (≤ 2016 pattern matches, no decoding). Findings carry encoding "split".
/// </summary>
public sealed class SplitSecretScanner(IDlpScanner dlp)
{
    public const int MaxFields = 64;
    public const string Encoding = "split";

    public Verdict Scan(IReadOnlyList<string> values, string? destinationHost = null)
    {
        var fields = Select(values);
        if (fields.Count < 2) return Verdict.Clean;
        var b = ImmutableArray.CreateBuilder<Finding>();
        var seen = new HashSet<(string, string)>();

        void Add(Verdict v)
        {
            foreach (var f in v.Findings)
                if (seen.Add((f.Scanner, f.Rule))) b.Add(f with { Encoding = Encoding, Position = -1 });
        }

        Add(dlp.ScanText(string.Concat(fields), destinationHost));
        for (int i = 0; i < fields.Count; i++)
            for (int j = i + 1; j < fields.Count; j++)
                Add(dlp.MatchTarget(fields[i] + fields[j], destinationHost, Encoding));
        return b.Count == 0 ? Verdict.Clean : new Verdict(b.ToImmutable());
    }

    private static List<string> Select(IReadOnlyList<string> values)
    {
        var nonEmpty = new List<string>(Math.Min(values.Count, MaxFields));
        foreach (var v in values) if (!string.IsNullOrEmpty(v)) nonEmpty.Add(v);
        if (nonEmpty.Count <= MaxFields) return nonEmpty;
        var head = nonEmpty.Take(MaxFields / 2);
        var tail = nonEmpty.Skip(nonEmpty.Count - MaxFields / 2);
        return head.Concat(tail).ToList();
    }
}
