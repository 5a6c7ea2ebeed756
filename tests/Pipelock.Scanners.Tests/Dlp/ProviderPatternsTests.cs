using Pipelock.Scanners.Dlp;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

public sealed class ProviderPatternsTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();

    public static TheoryData<string, string> Samples()
    {
        var r = new Random(42);
        return new TheoryData<string, string>
        {
            { "GitLab Token", "gl" + "dt-" + R(r, Alnum, 20) },
            { "GitLab Token", "gl" + "rt-" + R(r, Alnum, 20) },
            { "GitLab CI/CD Job Token", "gl" + "cbt-" + R(r, Alnum, 4) + "_" + R(r, Alnum, 20) },
            { "GitLab Runner Registration Token", "GR13" + "48941" + R(r, Alnum, 20) },
            { "Shopify Token", "shp" + "at_" + R(r, HexLower, 32) },
            { "Sentry User Token", "snt" + "ryu_" + R(r, HexLower, 64) },
            { "Doppler Token", "dp." + "st." + R(r, LowerAlnum, 40) },
            { "Perplexity API Key", "pp" + "lx-" + R(r, Alnum, 48) },
            { "Postman API Token", "PM" + "AK-" + R(r, HexLower, 24) + "-" + R(r, HexLower, 34) },
            { "Azure Storage Account Key", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + R(r, Alnum + "+/", 86) + "==" },
            { "Plaid Access Token", "access-" + "sandbox-" + Guid.NewGuid().ToString() },
            { "Slack Webhook", "https://hooks." + "slack.com/services/T" + R(r, UpperAlnum, 8) + "/B" + R(r, UpperAlnum, 8) + "/" + R(r, Alnum, 24) },
            { "Age Secret Key", AgeKey(r) },
            { "Facebook Access Token", "fb " + R(r, Digits, 15) + "|" + R(r, Alnum, 27) },
            { "Twitter Access Token (context)".Replace(" (context)", ""), "twitter_token = \"" + R(r, Digits, 19) + "-" + R(r, Alnum, 30) + "\"" },
            { "Adafruit API Key", "adafruit_key = \"" + R(r, LowerAlnum, 32) + "\"" },
            { "Heroku API Key", "HEROKU_API_KEY: " + Guid.NewGuid() },
            { "Coinbase CDP API Key Name", "organizations/" + Guid.NewGuid() + "/apiKeys/" + Guid.NewGuid() },
            { "SimpleFIN Access URL", "https://" + R(r, Alnum, 16) + ":" + R(r, Alnum, 32) + "@beta-bridge.simplefin.org/simplefin" },
            { "SimpleFIN Claim URL", "https://beta-bridge.simplefin.org/simplefin/claim/" + R(r, UpperAlnum, 40) },
            { "Database Connection String", "mongodb+srv://svc:" + R(r, Alnum, 18) + "@cluster0.example.net/db" },
            { "Plaid Secret", "PLAID-SECRET: " + R(r, HexLower, 30) },
            { "Private Key Material", "\"" + R(r, Upper, 20) + R(r, Lower, 20) + R(r, Alnum + "+/", 24) + "\\n\" +" },
            { "GCP Service Account Private Key ID", "\"private_key_id\": \"" + R(r, HexLower, 40) + "\"" },
        };
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ScanText_ProviderSample_Flagged(string rule, string text) =>
        Assert.Contains(Scanner.ScanText(text).Findings, f => f.Rule == rule);

    [Theory]
    [InlineData("- (id)hf_requiredCharacteristicTypesForDisplayMetadata;")]   // identifier, not a token
    [InlineData("_kHMSymptomhf_generatedByHomeAppForDebuggingPurposesKey")]   // prefix inside a word
    [InlineData("ReactNativeCameraKit: 0123456789abcdef0123456789abcdef01234567")]
    [InlineData("GR134894112312312312312312312")]                              // periodic body
    [InlineData("xoxb-xoxb-my-bot-token")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----")]
    [InlineData("sgp_5555555dAAAAA7777777CcccCFaaaaaaaaaaaaaa")]
    [InlineData("AIzaSyabcdefghijklmnopqrstuvwxyz1234567")]                   // alphabet run
    [InlineData("https://registry.npmjs.org/x/-/x-1.0.0.tgz sha512-" + "Qm9vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29v")]
    public void ScanText_LookAlike_NotFlagged(string text) =>
        Assert.False(Scanner.ScanText(text).HasEnforceable, text);

    private static string AgeKey(Random r)
    {
        // Build a bech32-valid age key: HRP "age-secret-key-", 52 random data chars + 6 checksum chars.
        const string charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        var data = Enumerable.Range(0, 52).Select(_ => r.Next(32)).ToList();
        const string hrp = "age-secret-key-";
        var values = hrp.Select(c => c >> 5).Append(0).Concat(hrp.Select(c => c & 31)).Concat(data).Concat(Enumerable.Repeat(0, 6)).ToList();
        uint chk = Polymod(values) ^ 1;
        var all = data.Concat(Enumerable.Range(0, 6).Select(i => (int)(chk >> (5 * (5 - i)) & 31)));
        return ("AGE-SECRET-KEY-1" + string.Concat(all.Select(v => charset[v]))).ToUpperInvariant();
    }

    private static uint Polymod(IEnumerable<int> values)
    {
        uint[] g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        uint chk = 1;
        foreach (var v in values)
        {
            uint b = chk >> 25;
            chk = (chk & 0x1ffffff) << 5 ^ (uint)v;
            for (int i = 0; i < 5; i++) if ((b >> i & 1) != 0) chk ^= g[i];
        }
        return chk;
    }
}
