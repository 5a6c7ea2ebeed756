using Pipelock.Scanners.Dlp;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// The bound must never exceed the shortest token run a match can have (the clean-text gate relies on it);
/// unknown syntax must fall back to 0.
/// </summary>
public sealed class TokenRunBoundTests
{
    [Theory]
    [InlineData(@"ghp_[A-Za-z0-9]{36}", 40)]
    [InlineData(@"\bghp_[A-Za-z0-9]{36}\b", 40)]
    [InlineData(@"(?i)sk-ant-[a-z0-9_\-]{20,}", 27)]
    [InlineData(@"AKIA[0-9A-Z]{16}", 20)]
    [InlineData(@"[a-f0-9]{8}-[a-f0-9]{4}", 13)]            // '-' is a token char
    [InlineData(@"key\s*[:=]\s*[a-z0-9]{32}", 32)]          // the value alone; \s and ':' break the run
    [InlineData(@"(?:abc|[0-9]{20})", 3)]                   // alternation: the weaker branch
    [InlineData(@"x(?:-\d)?[a-z]{5}", 6)]                   // absent or present, the run holds x and the letters
    [InlineData(@"x(?: \d)?[a-z]{5}", 5)]                   // a present optional part may break the run
    [InlineData(@"[a-z]{3}(?: [a-z]{3}){5}", 3)]            // repeated group broken by spaces
    [InlineData(@"(?:[a-z]{4}\.){3}", 15)]                  // "abcd.abcd.abcd." the dot is a token char
    [InlineData(@"[^\s]{40}", 0)]                           // negated class may hold anything
    [InlineData(@".{40}", 0)]
    [InlineData(@"[\w+/]{30,}={0,2}", 30)]
    [InlineData(@"\x41{20}", 20)]
    [InlineData(@"[\x20-\x7e]{20}", 0)]
    [InlineData(@"a{2}{3}", 6)]
    [InlineData(@"(?P<v>[A-Z]{10})", 10)]
    [InlineData(@"(?-i:AB)[0-9]{3}", 5)]
    [InlineData(@"\pL{20}", 0)]                             // unsupported escape: unknown, so 0
    [InlineData(@"(unbalanced", 0)]
    [InlineData(@"[[:alnum:]]{16}", 16)]
    [InlineData(@"[[:space:]a]{16}", 0)]
    [InlineData(@"a{,5}", 1)]                               // RE2: '{' not starting a count is a literal, which breaks the run
    public void Of_ReturnsGuaranteedRun(string re, int expected) => Assert.Equal(expected, TokenRunBound.Of(re));

    [Theory]
    [InlineData(@"[0-9a-f]{32}-us\d{1,2}", 32, "0123456789ABCDEFabcdef")]   // letters fold to both cases
    [InlineData(@"\d{15,16}\|[a-z]{27,40}", 27, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")]
    [InlineData(@"(?:[0-9]{20}|[a-f]{24})", 20, "0123456789ABCDEFabcdef")]   // either branch: shorter length, both classes
    [InlineData(@"x(?:[0-9]{20})?", 1, "Xx")]                               // the optional digits guarantee nothing
    [InlineData(@"[^a]{30}", 0, "")]                                        // negated: unknown
    [InlineData(@"a{3}", 3, "Aa")]
    public void ClassRun_ReturnsGuaranteedClassRepetition(string re, int length, string chars)
    {
        var (l, c) = TokenRunBound.ClassRun(re);
        Assert.Equal(length, l);
        Assert.Equal(chars, c);
    }

    [Theory]
    [MemberData(nameof(ProviderPatternsTests.Samples), MemberType = typeof(ProviderPatternsTests))]
    public void ClassRun_ProviderSample_MatchHoldsTheClassRun(string rule, string text)
    {
        var pattern = AllRules.FirstOrDefault(p => p.Name == rule);
        if (pattern is null) return;
        var cp = new CompiledPattern(pattern, 0);
        var m = cp.Regex.Match(text);
        Assert.True(m.Success, rule);
        Assert.True(cp.HasClassRun(m.Value), $"{rule}: the match lacks the class run the pre-check requires");
    }

    [Theory]
    [MemberData(nameof(ProviderPatternsTests.Samples), MemberType = typeof(ProviderPatternsTests))]
    public void Of_ProviderSample_MatchHoldsARunAtLeastTheBound(string rule, string text)
    {
        // Cross-check on real matches: the rule's match on its own positive sample must hold a token run >= the bound.
        var pattern = AllRules.FirstOrDefault(p => p.Name == rule);
        if (pattern is null) return;           // reported by a detector (PEM bodies, assignments), not a regex rule
        var m = new CompiledPattern(pattern, 0).Regex.Match(text);
        Assert.True(m.Success, rule);
        int best = LongestRun(m.Value);
        Assert.True(best >= TokenRunBound.Of(pattern.Regex), $"{rule}: run {best} < bound {TokenRunBound.Of(pattern.Regex)}");
    }

    [Theory]
    [MemberData(nameof(DefaultPatternsTests.Names), MemberType = typeof(DefaultPatternsTests))]
    public void Of_DefaultSample_MatchHoldsARunAtLeastTheBound(string rule)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var text = DefaultPatternsTests.Samples[rule](new Random(seed));
            var pattern = AllRules.First(p => p.Name == rule);
            var m = new CompiledPattern(pattern, 0).Regex.Match(text);
            if (!m.Success) continue;          // some samples match only through a decoded or normalised view
            Assert.True(LongestRun(m.Value) >= TokenRunBound.Of(pattern.Regex), $"{rule}: {LongestRun(m.Value)} < {TokenRunBound.Of(pattern.Regex)}");
        }
    }

    private static IEnumerable<DlpPattern> AllRules =>
        DlpPatterns.Core.Concat(DlpPatterns.Defaults).Concat(ProviderPatterns.Prefixed).Concat(ContextPatterns.All).Concat(SpecialPatterns.All);

    private static int LongestRun(string s)
    {
        int best = 0, run = 0;
        foreach (char c in s)
        {
            run = char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '_' or '-' or '.' or '~' ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }
}
