using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Normalize;
using Pipelock.Scanners.Tests.Support;

namespace Pipelock.Scanners.Tests.Injection;

public sealed class RequiredKeywordsTests
{
    private static string Describe(List<HashSet<Keyword>> sets) =>
        string.Join(" & ", sets.Select(s => string.Join("|", s.Select(k => k.Text + (k.CaseSensitive ? "!" : "")).Order(StringComparer.Ordinal))));

    [Theory]
    [InlineData("(?i)(ignore|disregard)\\s+all", "disregard|ignore & all")]
    [InlineData("(?i)you\\s+are\\s+(now\\s+)?((?-i:\\bDAN\\b)|evil)", "you & are & DAN!|evil")]
    [InlineData("(?im)^\\s*system\\s*:", "system")]
    [InlineData("(?i)don'?t\\s+tell", "don & tell")]
    [InlineData("(?i)api[_ -]?key", "api & key")]
    [InlineData("(?i)(new\\s+)?rules", "rules")]
    [InlineData("(<\\|(?:im_start|im_end)\\|>|\\[/?INST\\])", "INST]!|im_end!|im_start!")]
    [InlineData("(?i)(ab|cdef)x", "")]                    // one branch has no 3-char literal: always run
    [InlineData("(?i)={1,3}/?[A-Z\\-]{2,}", "")]
    [InlineData("(?i)(unclosed", "")]                     // unparsable: always run
    [InlineData("(忽略|无视).{0,10}(之前|以上)", "忽略!|无视! & 之前!|以上!")]
    public void Extract_Pattern_YieldsMandatoryKeywords(string pattern, string expected) =>
        Assert.Equal(expected, Describe(RequiredKeywords.Extract(pattern)));

    /// <summary>
    /// Soundness of the pre-filter on real text: whenever a pattern's regex matches a corpus text (in any pass view),
    /// its keyword requirement must hold, otherwise the pre-filter would have hidden a detection.
    /// </summary>
    [Fact]
    public void MayMatch_WheneverRegexMatchesCorpusText_IsTrue()
    {
        var patterns = InjectionPatterns.Defaults.Concat(InjectionPatterns.NetExtras).Concat(InjectionPatterns.PresetExtras)
            .SelectMany(p => new[]
            {
                new CompiledPattern(p.Name, p.Regex, builtIn: true),
                new CompiledPattern(p.Name, RegexVariants.OptionalWhitespace(p.Regex), builtIn: true),
                new CompiledPattern(p.Name, RegexVariants.VowelFold(p.Regex), builtIn: true),
            }).ToList();
        int matched = 0;
        foreach (var record in SharedData.ReadCorpus("injection.jsonl.gz"))
        {
            var m = TextNormalizer.ForMatching(record.Text);
            foreach (var view in new[] { m, TextNormalizer.LeetFold(m), TextNormalizer.VowelFold(m) })
            {
                bool ascii = System.Text.Ascii.IsValid(view);
                foreach (var p in patterns)
                {
                    if (!p.Regex.IsMatch(view)) continue;
                    matched++;
                    Assert.True(p.MayMatch(view, ascii), $"{p.Name} matched {record.Id} but its keywords were not found");
                }
            }
        }
        Assert.True(matched > 500, $"only {matched} matches: the corpus did not exercise the pre-filter");
    }
}
