namespace Pipelock.Scanners.Mcp;

/// <summary>
/// Split-secret candidates (catalogue §3.2): a key cut across fields (<c>{"a":"sk-","b":"ant-","c":"api03…"}</c>) is
/// whole again once the values are concatenated. Yields the concatenation of all values without separator, then every
/// ordered pair (i &lt; j, wire order) over at most <see cref="MaxFields"/> values (first and last halves when there are more).
/// Values longer than <see cref="MaxPairValueLength"/> are left out of pairs: they already carry a whole secret or none,
/// and they would make the pair pass quadratic in bytes.
/// </summary>
internal static class SplitSecretCombiner
{
    public const int MaxFields = 64;
    public const int MaxPairValueLength = 512;
    public const int MaxJoinedLength = 1 << 20;

    public static string? Joined(IReadOnlyList<string> values)
    {
        if (values.Count < 2) return null;
        var sb = new System.Text.StringBuilder();
        foreach (var v in values)
        {
            if (sb.Length + v.Length > MaxJoinedLength) break;
            sb.Append(v);
        }
        return sb.ToString();
    }

    public static IEnumerable<string> Pairs(IReadOnlyList<string> values)
    {
        var fields = new List<string>();
        foreach (var v in Select(values))
            if (v.Length > 0 && v.Length <= MaxPairValueLength) fields.Add(v);
        for (int i = 0; i < fields.Count; i++)
            for (int j = i + 1; j < fields.Count; j++)
                yield return string.Concat(fields[i], fields[j]);
    }

    private static IEnumerable<string> Select(IReadOnlyList<string> values)
    {
        if (values.Count <= MaxFields) return values;
        int half = MaxFields / 2;
        return values.Take(half).Concat(values.Skip(values.Count - half));
    }
}
