namespace Pipelock.Scanners.Url;

/// <summary>
/// Registrable domain (eTLD+1) from the embedded Mozilla Public Suffix List (MPL 2.0; header kept in the resource),
/// so rate limits and budgets are keyed per site and subdomain rotation (a.evil.com, b.evil.com) shares one bucket.
/// Standard algorithm: longest matching rule wins, exception rules (<c>!x</c>) beat wildcards (<c>*.x</c>),
/// unlisted TLDs use the implicit "*" rule. IP literals and single labels are their own key.
/// </summary>
internal sealed class PublicSuffixList
{
    private static readonly Lazy<PublicSuffixList> Embedded = new(Load);

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _rulesL, _wildL, _excL;

    public static PublicSuffixList Default => Embedded.Value;

    public PublicSuffixList(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            var l = line.AsSpan().Trim();
            if (l.IsEmpty || l.StartsWith("//")) continue;
            int sp = l.IndexOfAny(' ', '\t');
            if (sp >= 0) l = l[..sp];
            var rule = l.ToString().ToLowerInvariant();
            if (rule.StartsWith('!')) AddBoth(_exceptions, rule[1..]);
            else if (rule.StartsWith("*.", StringComparison.Ordinal)) AddBoth(_wildcards, rule[2..]);
            else AddBoth(_rules, rule);
        }
        _rulesL = _rules.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildL = _wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        _excL = _exceptions.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    private static void AddBoth(HashSet<string> set, string rule)
    {
        set.Add(rule);
        // URLs carry IDNs as punycode; add the A-label form of Unicode rules when the runtime can compute it.
        if (System.Text.Ascii.IsValid(rule)) return;
        try { set.Add(new System.Globalization.IdnMapping().GetAscii(rule)); }
        catch (ArgumentException) { }
        catch (PlatformNotSupportedException) { }
    }

    private static PublicSuffixList Load()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("Pipelock.Scanners.Url.public_suffix_list.dat")
            ?? throw new InvalidOperationException("embedded public_suffix_list.dat missing");
        using var reader = new StreamReader(stream);
        return new PublicSuffixList(reader);
    }

    /// <param name="host">Canonical host (lower-case, no trailing dot).</param>
    public string RegistrableDomain(string host)
    {
        if (host.Length == 0 || host.Contains(':') || IpLiteral.TryParse(host, out _)) return host;
        var span = host.AsSpan();
        int suffixStart = -1;
        for (int i = 0; ; )
        {
            var s = span[i..];
            int dot = s.IndexOf('.');
            if (_excL.Contains(s)) { suffixStart = dot < 0 ? span.Length : i + dot + 1; break; }
            if (_rulesL.Contains(s)) { suffixStart = i; break; }
            if (dot >= 0 && _wildL.Contains(s[(dot + 1)..])) { suffixStart = i; break; }
            if (dot < 0) break;
            i += dot + 1;
        }
        if (suffixStart < 0)
        {
            int last = span.LastIndexOf('.');
            suffixStart = last < 0 ? 0 : last + 1;
        }
        if (suffixStart == 0) return host;
        int labelStart = span[..(suffixStart - 1)].LastIndexOf('.') + 1;
        return labelStart == 0 ? host : host[labelStart..];
    }
}
