using Pipelock.Scanners.Injection;

namespace Pipelock.Scanners.Tests.Injection;

public sealed class MatchBoundTests
{
    [Theory]
    [InlineData("abc", 3, 0)]
    [InlineData("(?i)foo.{0,80}bar", 86, 0)]
    [InlineData(@"(?i)ignore\s+all", 9, 1)]
    [InlineData(@"(?i)(ignore|disregard)[-,;:.\s]+\s*previous", 17, 2)]
    [InlineData(@"(?i)you\s+(\w+\s+)?must", 7, 3)]
    [InlineData(@"(?im)^\s*system\s*:", 7, 2)]
    [InlineData(@"a{2,5}b?", 6, 0)]
    [InlineData(@"-{3,}\s*END", 3, 2)]
    [InlineData(@"[A-Za-z0-9_]+x", 1, 1)]
    [InlineData(@"\bfoo\b", 3, 0)]
    [InlineData(@"(忽略|无视).{0,10}(之前)", 14, 0)]
    public void Of_BoundedPattern_YieldsCharsAndRuns(string pattern, int chars, int runs) =>
        Assert.Equal(new MatchBound(chars, runs), MatchBound.Of(pattern));

    [Theory]
    [InlineData("a.*b")]                       // any character, unbounded
    [InlineData("a[^<]+b")]                    // negated class, unbounded
    [InlineData(@"(?:all\s+)*previous")]       // repeated group over two classes
    [InlineData(@"[\w.+-]+@x")]                 // word and punctuation in one run
    [InlineData("foo$")]                        // a window end would look like the end of the text
    [InlineData(@"foo\z")]
    [InlineData("(unclosed")]
    public void Of_UnboundedOrUnknown_IsNull(string pattern) =>
        Assert.Null(MatchBound.Of(pattern));

    [Fact]
    public void Of_EveryBuiltInVariant_ParsesOrFallsBackToWholeText()
    {
        // Only these defaults need the whole text: repeated word groups, [\w.+-]+ and GPT[-\w.]*.
        var unbounded = InjectionPatterns.Defaults.Concat(InjectionPatterns.NetExtras)
            .Where(p => MatchBound.Of(RegexVariants.NormaliseLiterals(p.Regex)) is null)
            .Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Exfiltration Directive", "Instruction Override (extended)", "Model-Addressed Message", "System Prompt Disclosure"], unbounded);
    }

    [Fact]
    public void ReachRight_CountsFreeRunsOnlyOnce()
    {
        // 3 chars bounded plus one free run: "ab" + the 10-space run + "c" fits, the next char does not.
        var text = "ab" + new string(' ', 10) + "cdef";
        Assert.Equal(13, TextRuns.ReachRight(text, 0, new MatchBound(3, 1)));
        Assert.Equal(3, TextRuns.ReachRight(text, 0, new MatchBound(3, 0)));
    }

    [Fact]
    public void ReachLeft_MirrorsReachRight()
    {
        var text = "fedc" + new string(' ', 10) + "ba";
        Assert.Equal(3, TextRuns.ReachLeft(text, text.Length, new MatchBound(3, 1)));
        Assert.Equal(text.Length - 3, TextRuns.ReachLeft(text, text.Length, new MatchBound(3, 0)));
    }

    [Fact]
    public void SafeEnd_StopsOnlyBeforeANonWordCharacter()
    {
        Assert.Equal(8, TextRuns.SafeEnd("abc defg h", 5));
        Assert.Equal(3, TextRuns.SafeEnd("abc defg h", 3));
        Assert.Equal(10, TextRuns.SafeEnd("abc défgéh", 5)); // non-ASCII may be a word character for \b
    }
}
