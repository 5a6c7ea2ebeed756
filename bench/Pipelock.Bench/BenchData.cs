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

    /// <summary>
    /// A clean JSON API response of about <paramref name="bytes"/>: transactions with UUIDs, ISO timestamps, amounts,
    /// merchant names and links. Ids and URLs are long token runs, so this text takes DLP's full scan, not the clean-text gate.
    /// </summary>
    public static string TransactionsJson(int bytes, int seed = 5)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(bytes + 512);
        sb.Append("{\"transactions\":[");
        for (int i = 0; sb.Length < bytes - 300; i++)
        {
            if (i > 0) sb.Append(',');
            var id = new Guid(RandomBytes(rng, 16));
            sb.Append("{\"id\":\"").Append(id).Append("\",\"date\":\"2026-")
              .Append((rng.Next(12) + 1).ToString("00")).Append('-').Append((rng.Next(28) + 1).ToString("00"))
              .Append("T10:").Append(rng.Next(60).ToString("00")).Append(":00Z\",\"amount\":")
              .Append(rng.Next(1, 90000) / 100.0).Append(",\"currency\":\"USD\",\"merchant\":\"")
              .Append(Words[rng.Next(Words.Length)]).Append(' ').Append(Words[rng.Next(Words.Length)])
              .Append("\",\"category\":\"").Append(Words[rng.Next(Words.Length)])
              .Append("\",\"url\":\"https://app.example.com/transactions/").Append(id).Append("\"}");
        }
        sb.Append("]}");
        return sb.ToString();
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }
}
