namespace Pipelock.Scanners.Url;

/// <summary>One query pair in wire order, iteratively URL-decoded; <c>*Changed</c> says whether decoding altered the raw text.</summary>
internal readonly record struct QueryParam(string Key, string Value, bool KeyChanged, bool ValueChanged)
{
    /// <summary>Query pairs examined per URL: bounds work on 10k-parameter URLs (the raw and decoded query are still scanned whole).</summary>
    public const int MaxParams = 256;

    /// <summary>Splits on '&amp;' like Go's ParseQuery (pairs with ';' are dropped by Go, but we keep them for DLP).</summary>
    public static List<QueryParam>? Parse(ReadOnlySpan<char> rawQuery, out bool truncated)
    {
        truncated = false;
        if (rawQuery.IsEmpty) return null;
        List<QueryParam>? list = null;
        foreach (var r in rawQuery.Split('&'))
        {
            var pair = rawQuery[r];
            if (pair.IsEmpty) continue;
            if (list is { Count: MaxParams }) { truncated = true; break; }
            int eq = pair.IndexOf('=');
            var k = eq < 0 ? pair : pair[..eq];
            var v = eq < 0 ? default : pair[(eq + 1)..];
            var key = Decode(k, out bool kc);
            var value = Decode(v, out bool vc);
            (list ??= new()).Add(new QueryParam(key, value, kc, vc));
        }
        return list;
    }

    private static string Decode(ReadOnlySpan<char> raw, out bool changed)
    {
        if (raw.IsEmpty) { changed = false; return ""; }
        if (raw.IndexOfAny('%', '+') < 0) { changed = false; return raw.ToString(); }
        var s = UrlCodec.LenientIterativeDecode(raw.ToString());
        changed = !raw.SequenceEqual(s);
        return s;
    }
}
