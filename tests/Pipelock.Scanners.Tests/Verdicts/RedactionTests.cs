using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Verdicts;

public sealed class RedactionTests
{
    [Fact]
    public void Redact_NeverContainsTheSecret()
    {
        var secret = "ghp_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")[..4];
        var ev = Redaction.Redact(secret);
        Assert.DoesNotContain(secret[4..], ev);
        Assert.Contains(secret.Length.ToString(), ev);
        Assert.StartsWith("ghp_", ev);
    }

    [Theory]
    [InlineData("abc")]      // too short to show any prefix
    [InlineData("abcdefg")]  // shows at most a quarter
    public void Redact_ShortValues_ShowAtMostAQuarter(string value)
    {
        var ev = Redaction.Redact(value);
        Assert.DoesNotContain(value, ev);
    }

    [Fact]
    public void Excerpt_CutsAndFlattensControlChars()
    {
        var ex = Redaction.Excerpt("line1\nline2\u0001" + new string('x', 200), 20);
        Assert.Equal(21, ex.Length);
        Assert.DoesNotContain('\n', ex);
        Assert.DoesNotContain('\u0001', ex);
    }
}
