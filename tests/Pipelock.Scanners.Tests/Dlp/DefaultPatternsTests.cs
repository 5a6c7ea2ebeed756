using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

public sealed class DefaultPatternsTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();

    /// <summary>One generated, format-valid sample per built-in rule (prefixes assembled from parts).</summary>
    public static readonly Dictionary<string, Func<Random, string>> Samples = new()
    {
        ["Anthropic API Key"] = r => "sk-" + "ant-api03-" + R(r, Alnum, 40),
        ["OpenAI API Key"] = r => "sk-" + "proj-" + R(r, Alnum, 48),
        ["OpenAI Service Key"] = r => "sk-" + "svcacct-" + R(r, Alnum, 40),
        ["Fireworks API Key"] = r => "fw" + "_" + R(r, Alnum, 30),
        ["Google API Key"] = r => "AI" + "za" + R(r, Alnum, 35),
        ["Google OAuth Client Secret"] = r => "GOC" + "SPX-" + R(r, Alnum, 28),
        ["Stripe Key"] = r => "sk" + "_live_" + R(r, Alnum, 24),
        ["Stripe Webhook Secret"] = r => "wh" + "sec_" + R(r, Alnum, 32),
        ["GitHub Token"] = r => "gh" + "p_" + R(r, Alnum, 36),
        ["GitHub Fine-Grained PAT"] = r => "github" + "_pat_" + R(r, Alnum, 22) + "_" + R(r, Alnum, 59),
        ["GitLab PAT"] = r => "gl" + "pat-" + R(r, Alnum, 20),
        ["AWS Access ID"] = r => "AK" + "IA" + R(r, UpperAlnum, 16),
        ["AWS Secret Key"] = r => "aws_secret_access_key = " + R(r, Alnum + "/+", 40),
        ["Google OAuth Token"] = r => "ya" + "29." + R(r, Alnum, 60),
        ["Slack Token"] = r => "xo" + "xb-" + R(r, Digits, 12) + "-" + R(r, Digits, 13) + "-" + R(r, Alnum, 24),
        ["Slack App Token"] = r => "xa" + "pp-1-A" + R(r, UpperAlnum, 10) + "-" + R(r, Digits, 13) + "-" + R(r, HexLower, 64),
        ["Discord Bot Token"] = r => "M" + R(r, Alnum, 25) + "." + R(r, Alnum, 6) + "." + R(r, Alnum, 27),
        ["Twilio API Key"] = r => "S" + "K" + R(r, HexLower, 32),
        ["SendGrid API Key"] = r => "S" + "G." + R(r, Alnum, 22) + "." + R(r, Alnum, 43),
        ["Mailgun API Key"] = r => "ke" + "y-" + R(r, Alnum, 32),
        ["New Relic API Key"] = r => "NR" + "AK-" + R(r, UpperAlnum, 27),
        ["Hugging Face Token"] = r => "h" + "f_" + R(r, Alnum, 34),
        ["Databricks Token"] = r => "da" + "pi" + R(r, HexLower, 32),
        ["Replicate API Token"] = r => "r" + "8_" + R(r, Alnum, 37),
        ["Together AI Key"] = r => "to" + "k_" + R(r, LowerAlnum, 40),
        ["Pinecone API Key"] = r => "pc" + "sk_" + R(r, Alnum, 40),
        ["Groq API Key"] = r => "gs" + "k_" + R(r, Alnum, 52),
        ["xAI API Key"] = r => "xa" + "i-" + R(r, Alnum, 80),
        ["DigitalOcean Token"] = r => "do" + "p_v1_" + R(r, HexLower, 64),
        ["HashiCorp Vault Token"] = r => "hv" + "s." + R(r, Alnum, 24),
        ["Vercel Token"] = r => "vc" + "p_" + R(r, Alnum, 24),
        ["Supabase Service Key"] = r => "sb" + "_secret_" + R(r, Alnum, 32),
        ["npm Token"] = r => "np" + "m_" + R(r, Alnum, 36),
        ["PyPI Token"] = r => "py" + "pi-" + R(r, Alnum, 60),
        ["Linear API Key"] = r => "lin" + "_api_" + R(r, Alnum, 40),
        ["Notion API Key"] = r => "nt" + "n_" + R(r, Alnum, 46),
        ["Sentry Auth Token"] = r => "snt" + "rys_" + R(r, Alnum, 60),
        ["Private Key Header"] = r => "-----BEGIN RSA " + "PRIVATE KEY-----\n" + R(r, Alnum + "+/", 64) + "\n",
        ["JWT Token"] = r => "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + R(r, Alnum + "_-", 43),
        ["Bitcoin WIF Private Key"] = r => Wif(r, compressed: r.Next(2) == 0),
        ["Extended Private Key"] = r => "xp" + "rv" + R(r, Base58Chars, 107),
        ["Ethereum Private Key"] = r => "0" + "x" + R(r, HexLower, 64),
        ["Social Security Number"] = r => $"SSN {r.Next(100, 899)}-{r.Next(10, 99)}-{r.Next(1000, 9999)}",
        ["Google OAuth Client ID"] = r => R(r, Digits, 12) + "-" + R(r, LowerAlnum, 32) + ".apps.googleusercontent.com",
        ["Credential in URL"] = r => "https://x.example/cb?a=1&token=" + R(r, Alnum, 20),
        ["Environment Variable Secret"] = r => "MY_SERVICE_TOKEN=" + R(r, Alnum, 24),
        ["Credit Card Number"] = r => Card(r, "4", 16),
        ["IBAN"] = r => Iban(r, "DE", 22),
        [DlpPatterns.GcpServiceAccountKey] = _ => "{\"type\": \"service_account\", \"project_id\": \"p\"}",
    };

    public static TheoryData<string> Names() => [.. Samples.Keys];

    [Fact]
    public void ScanText_KeyFollowedByNextEnvLine_CoreFloorReadsTheLineView()
    {
        // Joining lines glues "…\nAWS_" to the key and breaks its token boundary; the line view keeps it apart.
        var key = "AK" + "IA" + R(new Random(9), UpperAlnum, 16);
        var v = Scanner.ScanText("AWS_ACCESS_KEY_ID=" + key + "\nAWS_REGION=us-east-1\n");
        Assert.Contains(v.Findings, f => f.Rule == "AWS Access ID");
    }

    [Fact]
    public void Defaults_HasThe48CatalogueRules()
    {
        Assert.Equal(48, DlpPatterns.Defaults.Count);
        Assert.Equal(8, DlpPatterns.Core.Count);
        Assert.All(DlpPatterns.Core, p => Assert.Equal(ScannerNames.CoreDlp, p.Scanner));
        Assert.All(DlpPatterns.Defaults, p => Assert.True(Samples.ContainsKey(p.Name), p.Name));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ScanText_GeneratedSample_FlagsRule(string rule)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var secret = Samples[rule](new Random(seed * 7919 + rule.Length));
            var v = Scanner.ScanText("context before " + secret + " and after");
            Assert.Contains(v.Findings, f => f.Rule == rule);
            Assert.All(v.Findings, f => Assert.DoesNotContain(secret, f.Evidence));
        }
    }

    [Theory]
    [InlineData("AWS Access ID")]
    [InlineData("GitHub Token")]
    [InlineData("Slack Token")]
    [InlineData("GitLab PAT")]
    [InlineData("Private Key Header")]
    public void ScanText_CoreRule_ReportedAsCoreDlpEvenWithDefaultsOff(string rule)
    {
        var scanner = SecretGen.Scanner(new DlpOptions { IncludeDefaults = false, IncludeExtended = false });
        var v = scanner.ScanText(Samples[rule](new Random(1)));
        Assert.Contains(v.Findings, f => f.Rule == rule);
        Assert.All(v.Findings, f => Assert.Equal(ScannerNames.CoreDlp, f.Scanner));
        Assert.All(v.Findings, f => Assert.Equal(ScanAction.Block, f.Action));
    }

    [Theory]
    [InlineData("Credit Card Number", "4111 1111 1111 1112")]   // Luhn fails
    [InlineData("Credit Card Number", "9999888877776666")]      // no issuer
    [InlineData("IBAN", "DE00123456781234567890")]             // wrong check digits
    [InlineData("Bitcoin WIF Private Key", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTk")] // checksum broken
    [InlineData("Social Security Number", "1234-56-78901")]
    [InlineData("Google API Key", "AIza_not_a_key")]
    public void ScanText_NearMiss_NotFlaggedByRule(string rule, string text)
    {
        var v = Scanner.ScanText(text);
        Assert.DoesNotContain(v.Findings, f => f.Rule == rule);
    }

    [Fact]
    public void ScanText_SimulateWifScenario_Flagged()
    {
        // Catalogue §7.2 scenario 6: the well-known WIF example from the Bitcoin wiki.
        var v = Scanner.ScanText("https://x.example/?k=" + "5HueCGU8rMjxEXxiPuD5BDku" + "4MkFqeZyd4dZ1jvhTVqvbTLvyTJ");
        Assert.Contains(v.Findings, f => f.Rule == "Bitcoin WIF Private Key");
    }

    [Fact]
    public void ScanText_ValidatedPattern_DecoyBeforeValidHit_StillFlagged()
    {
        var r = new Random(5);
        var text = "order 4111 1111 1111 1112 then card " + Card(r, "51", 16);
        Assert.Contains(Scanner.ScanText(text).Findings, f => f.Rule == "Credit Card Number");
    }

    [Theory]
    [InlineData("34", 15)]
    [InlineData("37", 15)]
    [InlineData("2221", 16)]
    [InlineData("3530", 17)]
    [InlineData("6011", 16)]
    [InlineData("65", 19)]
    public void Luhn_IssuerRanges_Valid(string prefix, int len) =>
        Assert.True(DlpValidators.Luhn(Card(new Random(len), prefix, len)));

    [Theory]
    [InlineData("GB", 22)]
    [InlineData("FR", 27)]
    [InlineData("NO", 15)]
    [InlineData("MT", 31)]
    public void Mod97_GeneratedIbans_Valid(string country, int len) =>
        Assert.True(DlpValidators.Mod97(Iban(new Random(len), country, len)));

    [Fact]
    public void Mod97_WrongCountryLength_Invalid() =>
        Assert.False(DlpValidators.Mod97(Iban(new Random(1), "DE", 21)));

    [Theory]
    [InlineData("011000015", true)]
    [InlineData("021000021", true)]
    [InlineData("021000022", false)]
    [InlineData("991000021", false)]
    public void Aba_Checksum(string routing, bool ok) => Assert.Equal(ok, DlpValidators.Aba(routing));

    [Fact]
    public void Redaction_EvidenceNeverContainsSecret()
    {
        var secret = Samples["GitHub Token"](new Random(3));
        var f = Assert.Single(Scanner.ScanText(secret).Findings);
        Assert.StartsWith("gh", f.Evidence);
        Assert.DoesNotContain(secret[4..], f.Evidence);
    }
}
