using System.Text;
using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Tests.Injection;

/// <summary>The vectorised run searches of pass 6 against plain character loops.</summary>
public sealed class EncodedPayloadsTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-";

    private static bool InAlphabet(char c) => Alphabet.Contains(c);

    private static bool IsSegmentChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';

    private static bool NaiveHasRun(string s, int min)
    {
        int run = 0;
        foreach (char c in s)
        {
            run = InAlphabet(c) ? run + 1 : 0;
            if (run >= min) return true;
        }
        return false;
    }

    /// <summary>The scalar segment scan pass 6 used before the vectorised skip.</summary>
    private static List<string> NaiveSegments(string content)
    {
        var list = new List<string>();
        int start = -1;
        for (int i = 0; i <= content.Length; i++)
        {
            if (i < content.Length && IsSegmentChar(content[i]))
            {
                if (start < 0) start = i;
                continue;
            }
            if (start >= 0 && i - start >= EncodedPayloads.MinSegment - 2)
            {
                int end = i;
                while (end < content.Length && end - i < 2 && content[end] == '=') end++;
                if (end - start >= EncodedPayloads.MinSegment)
                {
                    list.Add(content[start..end]);
                    if (list.Count >= EncodedPayloads.MaxSegmentsPerLayer) break;
                }
            }
            start = -1;
        }
        return list;
    }

    private static string RandomText(Random rng)
    {
        string[] parts = ["a", "Zz9", "abcdefghijklm", "abcdefghijklmn", "abcdefghijklmnop", "==", "=", " ", ".", "-", "_", "/", "+",
            "é", "\n", "QUJDREVGR0hJSktMTU5PUA==", new string('x', 40), "0123456789abcdef"];
        var sb = new StringBuilder();
        int n = rng.Next(0, 60);
        for (int i = 0; i < n; i++) sb.Append(parts[rng.Next(parts.Length)]);
        return sb.ToString();
    }

    [Fact]
    public void HasRunAndSegments_RandomText_MatchPlainLoops()
    {
        var rng = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            var s = RandomText(rng);
            Assert.Equal(NaiveHasRun(s, 8), EncodedPayloads.HasEncodedRun(s));
            Assert.Equal(NaiveHasRun(s, 16), EncodedPayloads.HasSegment(s));
            Assert.Equal(NaiveSegments(s), EncodedPayloads.Segments(s));
        }
    }

    [Theory]
    [InlineData("", 8, null)]
    [InlineData("abcdefg", 8, null)]
    [InlineData("abcdefgh", 8, "abcdefgh")]
    [InlineData("ab cd\nef\tgh", 8, "abcdefgh")]
    [InlineData("abcd.efgh", 8, null)]
    public void WholeCandidate_StripsWhitespaceAndNeedsTheMinimum(string content, int min, string? expected) =>
        Assert.Equal(expected, EncodedPayloads.WholeCandidate(content, min));
}
