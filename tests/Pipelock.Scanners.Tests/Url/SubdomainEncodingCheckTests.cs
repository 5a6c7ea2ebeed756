using System.Text;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Url;

public sealed class SubdomainEncodingCheckTests
{
    private static Verdict Scan(string url) => new UrlScanner(UrlScannerOptions.Default, new FakeDlpScanner()).ScanStatic(url);

    private static string Base32(byte[] data)
    {
        const string A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = buffer << 8 | b; bits += 8;
            while (bits >= 5) { sb.Append(A[buffer >> (bits - 5) & 31]); bits -= 5; }
        }
        if (bits > 0) sb.Append(A[buffer << (5 - bits) & 31]);
        return sb.ToString();
    }

    public static TheoryData<string> EncodedLabels()
    {
        var text = System.Text.Encoding.ASCII.GetBytes("db_password=" + TestSecrets.Random("abcdefghijklmnop", 8));
        return new TheoryData<string>
        {
            Convert.ToHexStringLower(text),
            Base32(text),
            Convert.ToBase64String(text).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Convert.ToHexStringLower(text[..6]) + "." + Convert.ToHexStringLower(text[6..12]),
        };
    }

    [Theory]
    [MemberData(nameof(EncodedLabels))]
    public void ScanStatic_EncodedTextInSubdomain_SubdomainEntropy(string labels)
    {
        var v = Scan($"https://{labels}.exfil.evil.com/ping");
        Assert.Equal(ScannerNames.SubdomainEntropy, Assert.Single(v.Findings).Scanner);
    }

    [Fact]
    public void ScanStatic_HexChunkedLabels_SubdomainEntropy()
    {
        var chunks = Enumerable.Range(0, 4).Select(_ => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)) + "a");
        Assert.Equal(ScannerNames.SubdomainEntropy, Assert.Single(Scan($"https://{string.Join('.', chunks)}.t.evil.com/").Findings).Scanner);
    }

    [Theory]
    [InlineData("https://d111111abcdef8.cloudfront.net/img.png")]
    [InlineData("https://0b5a6a3c9f1e4d2b8c7a6f5e4d3c2b1a.r2.cloudflarestorage.com/bucket/key")]
    [InlineData("https://abc123def4.execute-api.us-east-1.amazonaws.com/prod")]
    [InlineData("https://ec2-54-12-34-56.compute-1.amazonaws.com/")]
    [InlineData("https://lh3.googleusercontent.com/a/photo")]
    [InlineData("https://myapp-7f9c2d.herokuapp.com/")]
    [InlineData("https://20240101.12345678.archive.example.org/")]
    public void ScanStatic_RealWorldRandomHostnames_Clean(string url) => Assert.True(Scan(url).IsClean, Scan(url).ToString());

    [Fact]
    public void ScanStatic_LongMixedLabel_EntropyParityWithPipelock()
    {
        // Pipelock parity: a 30-char label like an ELB name exceeds 4.0 bits/char; subdomain_entropy_exclusions is the fix.
        const string url = "https://k8s-default-ingress-1a2b3c4d5e.elb.us-west-2.amazonaws.com/";
        Assert.Equal(ScannerNames.SubdomainEntropy, Assert.Single(Scan(url).Findings).Scanner);
        var o = UrlScannerOptions.Default with { SubdomainEntropyExclusions = ["*.amazonaws.com"] };
        Assert.True(new UrlScanner(o, new FakeDlpScanner()).ScanStatic(url).IsClean);
    }
}
