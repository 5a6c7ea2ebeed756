using System.Text;

namespace Pipelock.Bench;

/// <summary>
/// Deterministic inputs for the benchmarks. Secrets are generated from a fixed seed (format-valid, not real);
/// prose is assembled from a word list so the text looks like an ordinary API response.
/// </summary>
internal static class BenchData
{
    private static readonly string[] Words =
    [
        "the", "account", "balance", "was", "updated", "after", "the", "quarterly", "review", "and", "all", "transactions",
        "are", "listed", "below", "with", "their", "categories", "merchant", "names", "amounts", "currency", "dates",
        "please", "note", "that", "pending", "items", "may", "change", "before", "settlement", "completes", "today",
        "report", "summary", "budget", "groceries", "rent", "utilities", "savings", "transfer", "income", "salary",
    ];

    public static string Prose(int bytes, int seed = 7)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(bytes + 16);
        int sentence = 0;
        while (sb.Length < bytes)
        {
            sb.Append(Words[rng.Next(Words.Length)]);
            if (++sentence % 14 == 0) sb.Append(". "); else sb.Append(' ');
            if (sentence % 90 == 0) sb.Append('\n');
        }
        sb.Length = bytes;
        return sb.ToString();
    }

    public static string RandomAlnum(int n, int seed = 11)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var rng = new Random(seed);
        var c = new char[n];
        for (int i = 0; i < n; i++) c[i] = alphabet[rng.Next(alphabet.Length)];
        return new string(c);
    }

    /// <summary>A generated GitHub-token-shaped string (not a real credential).</summary>
    public static string GithubToken() => "gh" + "p_" + RandomAlnum(36);
}
