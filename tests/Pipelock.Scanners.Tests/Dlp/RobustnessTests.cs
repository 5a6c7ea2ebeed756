using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>Adversarial inputs must finish (bounded decode work, capped runs); results must still be right.</summary>
public sealed class RobustnessTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();

    [Theory]
    [InlineData('a')]
    [InlineData('%')]
    [InlineData('0')]
    [InlineData('=')]
    public void ScanText_TenMegabytesOfOneChar_Clean(char c) =>
        Assert.False(Scanner.ScanText(new string(c, 10 * 1024 * 1024)).HasEnforceable);

    [Fact]
    public void ScanText_DeepPercent25Nesting_Completes()
    {
        var s = "%" + string.Concat(Enumerable.Repeat("25", 200_000)) + "41";
        Assert.False(Scanner.ScanText(s).HasEnforceable);
    }

    [Fact]
    public void ScanText_HugeBase64Blob_SecretAtEnd_StillFoundRaw()
    {
        var rng = new Random(1);
        var blob = new byte[3 * 1024 * 1024];
        rng.NextBytes(blob);
        var secret = "gh" + "p_" + SecretGen.R(rng, SecretGen.Alnum, 36);
        var v = Scanner.ScanText(Convert.ToBase64String(blob) + " " + secret);
        Assert.Contains(v.Findings, f => f.Rule == "GitHub Token");
    }

    [Fact]
    public void ScanText_ManyShortBase64Runs_Completes()
    {
        var text = string.Join(' ', Enumerable.Range(0, 50_000).Select(i => Convert.ToBase64String(BitConverter.GetBytes((long)i * 7919))));
        var v = Scanner.ScanText(text);
        Assert.False(v.HasEnforceable, v.ToString());
    }

    [Fact]
    public void ScanText_CleanProse_IsSharedCleanVerdict()
    {
        var v = Scanner.ScanText("The quick brown fox jumps over the lazy dog. Nothing to see here, just prose with numbers 42 and 7.");
        Assert.Same(Verdict.Clean, v);
    }

    [Fact]
    public void ScanText_WarnOnlyPattern_IsInformational()
    {
        var s = SecretGen.Scanner(new DlpOptions { Patterns = [new DlpPattern("Internal Ticket", @"TICKET-[0-9]{6}", Severity.Low, Action: "warn")] });
        var v = s.ScanText("see TICKET-123456");
        var f = Assert.Single(v.Findings);
        Assert.True(f.Informational);
        Assert.False(v.HasEnforceable);
    }

    [Fact]
    public void ScanText_ExemptDomain_SkipsPattern_ButCoreStillFires()
    {
        var custom = new DlpPattern("Internal Key", @"ik_[a-z0-9]{20}", Severity.High, ExemptDomains: ["*.corp.example"]);
        var s = SecretGen.Scanner(new DlpOptions { Patterns = [custom] });
        var key = "ik_" + SecretGen.R(new Random(3), SecretGen.LowerAlnum, 20);
        Assert.True(s.ScanText(key, "api.corp.example").IsClean);
        Assert.True(s.ScanText(key, "corp.example").IsClean);
        Assert.True(s.ScanText(key, "evil.example").HasEnforceable);
        var aws = "AK" + "IA" + SecretGen.R(new Random(4), SecretGen.UpperAlnum, 16);
        Assert.True(s.ScanText(aws, "api.corp.example").HasEnforceable);
    }
}
