using Enc = System.Text.Encoding;
using Pipelock.Scanners.Dlp;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>Catalogue §7.1 encoding and unicode evasions, and §7.2 DLP scenarios 1-6.</summary>
public sealed class EvasionTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();
    private static string Anthropic(int seed) => "sk-" + "ant-api03-" + R(new Random(seed), Alnum, 40);
    private static string Hex(string s) => Convert.ToHexStringLower(Enc.UTF8.GetBytes(s));

    public static TheoryData<string, string> Encodings()
    {
        var s = Anthropic(1);
        var bytes = Enc.UTF8.GetBytes(s);
        var b64 = Convert.ToBase64String(bytes);
        var hex = Hex(s);
        var pairs = Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(2 * i, 2)).ToArray();
        // Unpadded or +/-free values make some variants identical; duplicate rows would be skipped by xunit.
        (string, string)[] rows =
        [
            ("data=" + b64, "base64"),
            ("data=" + b64.TrimEnd('='), "base64"),
            ("data=" + b64.Replace('+', '-').Replace('/', '_'), "base64"),
            ("blob " + SecretGen.Base32(bytes), "base32"),
            ("blob " + SecretGen.Base32(bytes).TrimEnd('='), "base32"),
            ("hex " + hex, "hex"),
            ("hex " + hex.ToUpperInvariant(), "hex"),
            ("hex " + string.Join(':', pairs), "hex"),
            ("hex " + string.Join(' ', pairs), "hex"),
            ("hex " + string.Join('-', pairs), "hex"),
            ("hex " + string.Join(',', pairs), "hex"),
            ("hex " + string.Concat(pairs.Select(p => "\\x" + p)), "hex"),
            ("hex " + string.Join(' ', pairs.Select(p => "0x" + p)), "hex"),
            ("nested " + Convert.ToBase64String(Enc.ASCII.GetBytes(hex)), "base64"),   // base64(hex(secret))
        ];
        var data = new TheoryData<string, string>();
        foreach (var (text, encoding) in rows.Distinct()) data.Add(text, encoding);
        return data;
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ScanText_EncodedSecret_FlaggedWithEncoding(string text, string encoding)
    {
        var v = Scanner.ScanText(text);
        Assert.Contains(v.Findings, f => f.Rule == "Anthropic API Key" && f.Encoding == encoding);
        Assert.True(v.HasEnforceable);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void ScanText_MultiLayerPercentEncoding_Flagged(int layers)
    {
        var s = Anthropic(2);
        string enc = string.Concat(s.Select(c => "%" + ((int)c).ToString("X2")));
        for (int i = 1; i < layers; i++) enc = enc.Replace("%", "%25");
        Assert.Contains(Scanner.ScanText("q=" + enc).Findings, f => f.Rule == "Anthropic API Key");
    }

    [Theory]
    [InlineData("\u200b")]   // zero-width space inside the key
    [InlineData("\u00ad")]   // soft hyphen
    [InlineData("\u2060")]   // word joiner
    public void ScanText_InvisibleCharInsideKey_Flagged(string invisible)
    {
        var s = Anthropic(4);
        Assert.Contains(Scanner.ScanText("key: sk" + invisible + s[2..]).Findings, f => f.Rule == "Anthropic API Key");
    }

    [Fact]
    public void ScanText_CyrillicHomoglyphPrefix_Flagged()
    {
        var s = Anthropic(5);
        // "ѕk-аnt" with Cyrillic dze and a.
        var spoofed = "\u0455k-\u0430nt" + s[6..];
        Assert.Contains(Scanner.ScanText(spoofed).Findings, f => f.Rule == "Anthropic API Key");
    }

    [Fact]
    public void ScanText_DotSplitAcrossLabels_Flagged()
    {
        var s = Anthropic(6);
        var host = s[..10] + "." + s[10..30] + "." + s[30..] + ".evil.example";
        Assert.Contains(Scanner.ScanText("https://" + host + "/").Findings, f => f.Rule == "Anthropic API Key");
    }

    [Fact]
    public void SplitSecretScanner_FieldSplit_Flagged()
    {
        var s = Anthropic(7);
        var split = new SplitSecretScanner(Scanner);
        var v = split.Scan(["sk-", "unrelated", s[3..]]);
        Assert.Contains(v.Findings, f => f.Rule == "Anthropic API Key" && f.Encoding == SplitSecretScanner.Encoding);
    }

    [Fact]
    public void SplitSecretScanner_CleanFields_Clean()
    {
        var split = new SplitSecretScanner(Scanner);
        Assert.True(split.Scan(["hello", "world", "42"]).IsClean);
    }

    // §7.2 scenarios 1-6.
    [Fact]
    public void Scenario1_AwsKeyInQuery() =>
        Assert.Contains(Scanner.ScanText("https://evil.example/?key=" + "AKIA" + "IOSFODNN7EXAMPLE").Findings, f => f.Rule == "AWS Access ID");

    [Fact]
    public void Scenario2_Base64GithubToken()
    {
        var t = "gh" + "p_" + R(new Random(2), Alnum, 36);
        Assert.Contains(Scanner.ScanText(Convert.ToBase64String(Enc.UTF8.GetBytes(t))).Findings, f => f.Rule == "GitHub Token" && f.Encoding == "base64");
    }

    [Fact]
    public void Scenario3_HexSlackToken()
    {
        var t = "xo" + "xb-" + R(new Random(3), Digits, 12) + "-" + R(new Random(4), Alnum, 24);
        Assert.Contains(Scanner.ScanText(Hex(t)).Findings, f => f.Rule == "Slack Token" && f.Encoding == "hex");
    }

    [Fact]
    public void Scenario4_AnthropicInBody() =>
        Assert.Contains(Scanner.ScanText("{\"prompt\":\"use " + Anthropic(8) + "\"}").Findings, f => f.Rule == "Anthropic API Key");

    [Fact]
    public void Scenario5_OpenAIProjectKeyInUrl() =>
        Assert.Contains(Scanner.MatchTarget("https://x.example/p?k=" + "sk-" + "proj-" + R(new Random(9), Alnum, 40)).Findings, f => f.Rule == "OpenAI API Key");

    [Fact]
    public void MatchTarget_DoesNotDecode_ButTagsEncoding()
    {
        var t = "gh" + "p_" + R(new Random(2), Alnum, 36);
        Assert.True(Scanner.MatchTarget(Convert.ToBase64String(Enc.UTF8.GetBytes(t))).IsClean);
        var f = Assert.Single(Scanner.MatchTarget(t, encoding: "base64").Findings);
        Assert.Equal("base64", f.Encoding);
    }
}
