using Pipelock.Agent.Config;
using Pipelock.Agent.Config.Binding;

namespace Pipelock.Agent.Tests.Config.Binding;

public class Re2DialectTests
{
    [Theory]
    [InlineData("a(?=b)", "lookaround")]
    [InlineData("a(?!b)", "lookaround")]
    [InlineData("(?<=a)b", "lookaround")]
    [InlineData("(?<!a)b", "lookaround")]
    [InlineData(@"(a)\1", "backreferences")]
    [InlineData(@"(?<x>a)\k<x>", "backreferences")]
    [InlineData("(?>a+)b", "atomic")]
    [InlineData("[[:letters:]]+", "unknown POSIX class")]
    [InlineData(@"\p", "needs a Unicode class")]
    [InlineData("(?U)a+", "ungreedy")]
    [InlineData("(?x)a b", "flag 'x'")]
    [InlineData("(?#note)a", "comment")]
    public void Check_NotPortableRe2_Rejected(string pattern, string message) =>
        Assert.Contains(message, Re2Dialect.Check(pattern));

    [Theory]
    [InlineData(@"sk-ant-[a-zA-Z0-9\-_]{10,}")]
    [InlineData(@"(?i)\b(curl|wget)\b.*(-d\s|--data(?:-binary|-raw)?\b)")]
    [InlineData(@"(?i)(\.ssh/(id_|authorized)|\.aws/credentials|\.env\b)")]
    [InlineData(@"(?-i:AKIA)[0-9A-Z]{16}")]
    [InlineData(@"(?<name>[a-z]+)")]
    [InlineData(@"[\[\]:]+\d")]
    [InlineData(@"[]a]")]
    [InlineData(@"\p{Greek}+")]
    [InlineData(@"(?is:a.b)")]
    [InlineData("(?P<key>[a-z]+)")]                 // RE2-only syntax Re2Regex translates
    [InlineData(@"\pL+")]
    [InlineData(@"\Qa.(b\E")]                       // nothing inside \Q…\E is syntax
    [InlineData("[[:alpha:]]+")]
    public void Check_Re2Pattern_Accepted(string pattern) => Assert.Null(Re2Dialect.Check(pattern));

    [Fact]
    public void LoadText_PatternWithLookahead_ConfigError()
    {
        var result = ConfigLoader.LoadText("response_scanning:\n  patterns:\n    - name: p\n      regex: 'foo(?=bar)'\n", "p.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("response_scanning.patterns[0].regex", error.KeyPath);
        Assert.Contains("lookaround assertions are not RE2 syntax", error.Message);
    }
}
