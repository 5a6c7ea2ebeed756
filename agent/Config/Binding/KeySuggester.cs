namespace Pipelock.Agent.Config.Binding;

/// <summary>"Did you mean" for misspelt keys: the closest candidate within a small edit distance.</summary>
internal static class KeySuggester
{
    public static string? Suggest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDist = int.MaxValue;
        int limit = Math.Max(2, input.Length / 3);
        foreach (var c in candidates)
        {
            int d = Distance(input, c);
            if (d < bestDist) { bestDist = d; best = c; }
        }
        return bestDist <= limit ? best : null;
    }

    /// <summary>Levenshtein distance; keys are short so the O(n·m) table is fine.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64) return int.MaxValue;
        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            cur.CopyTo(prev);
        }
        return prev[b.Length];
    }
}
