namespace Pipelock.Scanners.Url;

/// <summary>
/// A compiled list of host patterns: exact names or <c>*.x</c> (matching <c>x</c> itself and every subdomain, like
/// Pipelock's MatchDomain). Patterns and hosts compare lower-case without trailing dots, so "PASTEBIN.com." cannot
/// dodge "*.pastebin.com". A bare "*" matches everything.
/// </summary>
public sealed class DomainPatternSet
{
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly HashSet<string> _suffix = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _suffixLookup;
    private readonly bool _any;

    public DomainPatternSet(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var p = raw.Trim().TrimEnd('.').ToLowerInvariant();
            if (p.Length == 0) continue;
            if (p == "*") { _any = true; continue; }
            if (p.StartsWith("*.", StringComparison.Ordinal)) _suffix.Add(p[2..]);
            else _exact.Add(p);
        }
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixLookup = _suffix.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool IsEmpty => !_any && _exact.Count == 0 && _suffix.Count == 0;

    /// <param name="host">Canonical host (lower-case, no trailing dot), as produced by the URL parser.</param>
    public bool Matches(ReadOnlySpan<char> host)
    {
        if (_any) return true;
        if (host.IsEmpty) return false;
        if (_exactLookup.Contains(host)) return true;
        if (_suffix.Count == 0) return false;
        // Walk the suffixes at each label boundary: a.b.c -> a.b.c, b.c, c.
        var s = host;
        while (true)
        {
            if (_suffixLookup.Contains(s)) return true;
            int dot = s.IndexOf('.');
            if (dot < 0) return false;
            s = s[(dot + 1)..];
        }
    }
}
