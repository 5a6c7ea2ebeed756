using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Tests.Text;

public sealed class Re2RegexTests
{
    // RE2 classes are ASCII-only: Arabic-Indic digits, fullwidth letters and NBSP must not match.
    [Theory]
    [InlineData(@"^\d+$", "0123", true)]
    [InlineData(@"^\d+$", "٠١٢٣", false)]
    [InlineData(@"^\w+$", "abc_XYZ9", true)]
    [InlineData(@"^\w+$", "привет", false)]
    [InlineData(@"^a\sb$", "a b", true)]
    [InlineData(@"^a\sb$", "a\u00a0b", false)]
    [InlineData(@"^[\d]+$", "٣", false)]
    [InlineData(@"^[^\d]+$", "abc", true)]
    [InlineData(@"\bDAN\b", "you are DAN now", true)]
    [InlineData(@"\bDAN\b", "DANGER", false)]
    [InlineData(@"\bDAN\b", "жDANж", true)] // Cyrillic letters are not RE2 word chars, so boundaries exist
    public void Compile_KeepsRe2AsciiSemantics(string pattern, string input, bool expected) =>
        Assert.Equal(expected, Re2Regex.Compile(pattern).IsMatch(input));

    [Fact]
    public void Compile_SamePatternTwice_ReturnsCachedInstance() =>
        Assert.Same(Re2Regex.Compile("abc", true), Re2Regex.Compile("abc", true));

    [Theory]
    [InlineData("(?i)ok", null)]
    [InlineData("(unclosed", "error")]
    public void Validate_ReportsBadPatterns(string pattern, string? expected)
    {
        var err = Re2Regex.Validate(pattern);
        if (expected is null) Assert.Null(err); else Assert.NotNull(err);
    }

    [Fact]
    public void Compile_PatternWithoutBoundaries_RunsNonBacktracking() =>
        Assert.True((Re2Regex.Compile(@"sk-ant-[a-z0-9]{10,}").Options & System.Text.RegularExpressions.RegexOptions.NonBacktracking) != 0);
}
