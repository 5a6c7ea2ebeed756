using System.Text;
using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Tests.Injection;

public sealed class KeywordFinderTests
{
    private static readonly Keyword[] Keywords =
    [
        new("ignore", false), new("previous", false), new("api", false), new("DAN", true, WordStart: true),
        new("the external", false), new("note", false, WordStart: true), new("x-y", false), new("无视", true),
    ];

    /// <summary>Every occurrence, by plain comparison: what the filter must reproduce exactly.</summary>
    private static List<(int, int)> Naive(string text, Keyword[] keywords, bool foldVowels)
    {
        static char Fold(char c) => c switch { 'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', _ => c };
        var view = foldVowels ? new string([.. text.Select(Fold)]) : text;
        var found = new List<(int, int)>();
        for (int pos = 0; pos < view.Length; pos++)
            for (int id = 0; id < keywords.Length; id++)
            {
                var k = keywords[id];
                if (!view.AsSpan(pos).StartsWith(k.Text, k.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)) continue;
                if (k.WordStart && pos > 0 && (char.IsAsciiLetterOrDigit(view[pos - 1]) || view[pos - 1] == '_')) continue;
                found.Add((pos, id));
            }
        return found;
    }

    private static string RandomText(Random rng, int length)
    {
        string[] parts = ["ignore", "IGNORE", "previous", "prev", "api", "apI", "DAN", "dan", "xDAN", "the external", "the", "note",
            "notes", "anote", "x-y", "无视", "无", " ", " ", "  ", ".", "\n", "q", "zz", "4pi", "ignoreprevious"];
        var sb = new StringBuilder();
        while (sb.Length < length) sb.Append(parts[rng.Next(parts.Length)]);
        return sb.ToString(0, length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Find_RandomText_ReportsExactlyTheOccurrences(bool foldVowels)
    {
        static string Fold(string s) => new([.. s.Select(c => c switch { 'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', _ => c })]);
        var keywords = foldVowels ? [.. Keywords.Select(k => k with { Text = Fold(k.Text) })] : Keywords;
        var finder = new KeywordFinder(keywords, foldVowels);
        var rng = new Random(42);
        var hits = new HitBuffer();
        for (int i = 0; i < 300; i++)
        {
            var text = RandomText(rng, rng.Next(0, 200));
            bool ascii = System.Text.Ascii.IsValid(text);
            // A vowel-folding finder reads non-ASCII text already folded.
            var input = foldVowels && !ascii ? Fold(text) : text;
            Assert.True(finder.Find(input, ascii, hits, 1 << 16));
            var got = hits.Items.ToArray().Select(h => (h.Position, h.Id)).ToList();
            Assert.Equal(Naive(text, keywords, foldVowels).Order(), got.Order());
            Assert.True(got.Select(h => h.Item1).SequenceEqual(got.Select(h => h.Item1).Order()), "hits must come in position order");
        }
    }

    [Fact]
    public void FindPair_MatchesTwoSeparateFinds()
    {
        static string Fold(string s) => new([.. s.Select(c => c switch { 'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', _ => c })]);
        var ascii = Keywords.Where(k => System.Text.Ascii.IsValid(k.Text)).ToArray();
        var plain = new KeywordFinder(ascii, foldVowels: false);
        var vowel = new KeywordFinder([.. ascii.Select(k => k with { Text = Fold(k.Text) })], foldVowels: true);
        var rng = new Random(7);
        HitBuffer a = new(), b = new(), c = new(), d = new();
        for (int i = 0; i < 300; i++)
        {
            var text = new string([.. RandomText(rng, rng.Next(0, 300)).Where(ch => ch < 128)]);
            Assert.True(KeywordFinder.FindPair(plain, vowel, text, a, b, 1 << 16));
            plain.Find(text, true, c, 1 << 16);
            vowel.Find(text, true, d, 1 << 16);
            Assert.Equal(c.Items.ToArray(), a.Items.ToArray());
            Assert.Equal(d.Items.ToArray(), b.Items.ToArray());
        }
    }

    [Fact]
    public void Find_Flood_ReportsNotIndexed()
    {
        var finder = new KeywordFinder([new Keyword("note", false)], foldVowels: false);
        Assert.False(finder.Find(string.Concat(Enumerable.Repeat("note ", 100)), true, new HitBuffer(), 50));
    }
}
