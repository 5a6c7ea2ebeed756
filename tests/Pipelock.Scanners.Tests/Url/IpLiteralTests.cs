using Pipelock.Scanners.Url;

namespace Pipelock.Scanners.Tests.Url;

public sealed class IpLiteralTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("0177.0.0.1", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("10.0.258", "10.0.1.2")]
    [InlineData("0xA9.0xFE.0xA9.0xFE", "169.254.169.254")]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1")]
    [InlineData("fe80::1%eth0", "fe80::1")]
    public void TryParse_AlternativeNotations_Canonicalised(string host, string expected)
    {
        Assert.True(IpLiteral.TryParse(host, out var ip));
        Assert.Equal(expected, ip.ToString());
    }

    [Theory]
    [InlineData("123.example.com")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("4294967296")]
    [InlineData("08.1.1.1")]
    [InlineData("example.com")]
    public void TryParse_NotAnAddress_False(string host) => Assert.False(IpLiteral.TryParse(host, out _));
}
