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
    [InlineData(@"\bDAN\b", "-DAN-", true)]
    public void Compile_KeepsRe2AsciiSemantics(string pattern, string input, bool expected) =>
        Assert.Equal(expected, Re2Regex.Compile(pattern).IsMatch(input));

    // RE2 syntax .NET lacks or reads differently is translated, not rejected.
    [Theory]
    [InlineData(@"^(?P<key>[a-z]+)=1$", "abc=1", true)]
    [InlineData(@"^\pL+$", "Ünïcode", true)]
    [InlineData(@"^\pL+$", "abc1", false)]
    [InlineData(@"^\PN+$", "abc", true)]
    [InlineData(@"^\Qa.b*c\E$", "a.b*c", true)]
    [InlineData(@"^\Qa.b*c\E$", "axbbc", false)]
    [InlineData(@"^[[:alpha:]]+$", "abcXYZ", true)]
    [InlineData(@"^[[:alpha:]]+$", "abc:", false)]                  // .NET alone would read '[', ':', 'a', … as members
    [InlineData(@"^[[:xdigit:]_]{4}$", "a0F_", true)]
    [InlineData(@"^[^[:space:]]+$", "a b", false)]
    public void Compile_TranslatesRe2OnlySyntax(string pattern, string input, bool expected)
    {
        Assert.Null(Re2Regex.Validate(pattern));
        Assert.Equal(expected, Re2Regex.Compile(pattern).IsMatch(input));
    }

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

    // Documented deviation: .NET's \b counts Cyrillic letters as word characters (RE2 does not). Scanners match text
    // whose confusables are folded to ASCII first, so "жDANж" never reaches a pattern in this form.
    [Fact]
    public void Compile_BoundaryBesideNonAsciiLetter_FollowsDotNet() =>
        Assert.DoesNotMatch(Re2Regex.Compile(@"\bDAN\b"), "жDANж");

    [Theory]
    [InlineData(@"sk-ant-[a-z0-9]{10,}")]
    [InlineData(@"(?i)\b(send|provide)\b.{0,80}\b(password|token)\b")]
    public void Compile_Re2Patterns_RunNonBacktracking(string pattern) =>
        Assert.True((Re2Regex.Compile(pattern).Options & System.Text.RegularExpressions.RegexOptions.NonBacktracking) != 0);
}
