using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;
using Enc = System.Text.Encoding;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

public sealed class KnownSecretsTests
{
    private static readonly string EnvValue = R(new Random(11), Alnum, 28);

    private static DlpScanner WithEnv() => SecretGen.Scanner(new DlpOptions { IncludeExtended = false }, new Dictionary<string, string>
    {
        ["MY_CUSTOM_VALUE"] = EnvValue,
        ["HOME"] = R(new Random(12), Alnum, 30),          // skip-listed name
        ["LC_SOMETHING"] = R(new Random(13), Alnum, 30),  // skip-listed prefix
        ["SHORT"] = "Ab3$xY",                             // below min length
        ["LOW_ENTROPY"] = "aaaaaaaaaaaaaaaaaaaaaaaa",      // entropy <= 3
    });

    public static TheoryData<string, string> EnvForms()
    {
        var bytes = Enc.UTF8.GetBytes(EnvValue);
        var b64 = Convert.ToBase64String(bytes);
        var hex = Convert.ToHexStringLower(bytes);
        var pairs = Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(2 * i, 2)).ToArray();
        // Unpadded or +/-free values make some variants identical; duplicate rows would be skipped by xunit.
        (string, string)[] rows =
        [
            (EnvValue, "env"),
            (b64, "base64"),
            (b64.TrimEnd('='), "base64"),
            (b64.Replace('+', '-').Replace('/', '_'), "base64"),
            (hex.ToUpperInvariant(), "hex"),
            (string.Join(':', pairs), "hex"),
            (string.Join('-', pairs), "hex"),
            (string.Concat(pairs.Select(p => "\\x" + p)), "hex"),
            (string.Join(' ', pairs.Select(p => "0x" + p)), "hex"),
            (SecretGen.Base32(bytes), "base32"),
            (SecretGen.Base32(bytes).TrimEnd('='), "base32"),
        ];
        var data = new TheoryData<string, string>();
        foreach (var (text, encoding) in rows.Distinct()) data.Add(text, encoding);
        return data;
    }

    [Theory]
    [MemberData(nameof(EnvForms))]
    public void MatchTarget_EnvSecretInAnyEncoding_Flagged(string form, string encoding)
    {
        var v = WithEnv().MatchTarget("x=" + form + "&y=1");
        var f = Assert.Single(v.Findings, f => f.Rule == DlpScanner.EnvLeakRule);
        Assert.Equal(encoding, f.Encoding);
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.DoesNotContain(EnvValue, f.Evidence);
    }

    [Fact]
    public void Extract_SkipsNamesShortAndLowEntropyValues()
    {
        var env = new DictionaryEnvironmentSource(new Dictionary<string, string>
        {
            ["PATH"] = R(new Random(1), Alnum, 40), ["XDG_X"] = R(new Random(2), Alnum, 40),
            ["OK_SECRET"] = R(new Random(3), Alnum, 20), ["SHORT"] = R(new Random(4), Alnum, 15), ["FLAT"] = "abababababababababab",
        });
        var names = EnvSecrets.Extract(env, 16).Select(e => e.Name).ToArray();
        Assert.Equal(["OK_SECRET"], names);
    }

    [Fact]
    public void ScanText_FileSecret_FlaggedAsKnownSecret()
    {
        var secret = R(new Random(21), Alnum, 24);
        var s = SecretGen.Scanner(new DlpOptions { FileSecrets = [secret] });
        Assert.Contains(s.ScanText("payload " + secret).Findings, f => f.Rule == DlpScanner.FileLeakRule);
    }

    [Fact]
    public void ScanText_Canary_FlaggedWithCanaryScanner()
    {
        var s = SecretGen.Scanner(new DlpOptions { CanaryTokens = [new CanaryToken("deploy-key", "CANARY-" + R(new Random(5), Alnum, 20))] });
        var value = s.Options.CanaryTokens[0].Value;
        var v = s.ScanText("https://x.example/?q=" + Convert.ToBase64String(Enc.UTF8.GetBytes(value)));
        var f = Assert.Single(v.Findings, f => f.Scanner == ScannerNames.Canary);
        Assert.Equal("Canary Token: deploy-key", f.Rule);
    }

    [Fact]
    public void SecretsFile_Parse_AppliesRules()
    {
        var a = R(new Random(1), Alnum, 20);
        var b = R(new Random(2), Alnum, 30);
        var text = "\uFEFF" + a + "\n# comment\n\nshort\n" + b + "\n" + a + "\n";
        var list = SecretsFile.Parse(new StringReader(text), 16);
        Assert.Equal([a, b], list);
    }

    [Fact]
    public void SecretsFile_Parse_TooManyEntries_Throws()
    {
        var lines = string.Join('\n', Enumerable.Range(0, SecretsFile.MaxEntries + 1).Select(i => $"secret-value-number-{i:D6}"));
        Assert.Throws<SecretsFileException>(() => SecretsFile.Parse(new StringReader(lines), 16));
    }

    [Fact]
    public void SecretsFile_Parse_LongLine_Throws() =>
        Assert.Throws<SecretsFileException>(() => SecretsFile.Parse(new StringReader(new string('a', SecretsFile.MaxLineBytes + 1)), 16));

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, true)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite, true)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, false)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite, false)]
    public void SecretsFile_Load_ModeRule(UnixFileMode mode, bool ok)
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, R(new Random(9), Alnum, 20) + "\n");
            File.SetUnixFileMode(path, mode);
            if (ok) Assert.Single(SecretsFile.Load(path));
            else Assert.Throws<SecretsFileException>(() => SecretsFile.Load(path));
        }
        finally { File.Delete(path); }
    }
}
