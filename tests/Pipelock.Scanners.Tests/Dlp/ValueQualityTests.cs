using System.Security.Cryptography;
using Pipelock.Scanners.Dlp;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// Value judging and the detectors added for detection quality: each case is generated at test time (random,
/// format-valid), paired with the look-alike the hard negatives must drop. Prefixes are assembled from parts.
/// </summary>
public sealed class ValueQualityTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();

    private static string B64(byte[] b) => Convert.ToBase64String(b);

    private static byte[] Bytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    /// <summary>A base64 line of <paramref name="n"/> random bytes that holds a '+' or '/' (standard alphabet).</summary>
    private static string StdB64Line(Random r, int n)
    {
        while (true)
        {
            var s = B64(Bytes(r, n)).TrimEnd('=');
            if (s.AsSpan().IndexOfAny('+', '/') >= 0) return s;
        }
    }

    /// <summary>Jira/Confluence Data Center PAT: base64 of a 12-digit id, ':' and 20 random bytes.</summary>
    private static string AtlassianPat(Random r)
    {
        var raw = System.Text.Encoding.ASCII.GetBytes(R(r, Digits, 12) + ":").Concat(Bytes(r, 20)).ToArray();
        return B64(raw);
    }

    private static string Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Optimal))
            gz.Write(System.Text.Encoding.ASCII.GetBytes(text));
        return B64(ms.ToArray());
    }

    /// <summary>A value with both letter cases and at least three digits (never a variable name).</summary>
    private static string Mixed(Random r) => R(r, Upper, 4) + R(r, Digits, 3) + R(r, Lower, 5) + R(r, Alnum, 4);

    private static string Guid4() => Guid.NewGuid().ToString();

    /// <summary>A time-based (version 1) UUID: ids, not secret material.</summary>
    private static string Guid1(Random r) => R(r, HexLower, 8) + "-" + R(r, HexLower, 4) + "-1" + R(r, HexLower, 3) + "-9" + R(r, HexLower, 3) + "-" + R(r, HexLower, 12);

    public static TheoryData<string, string> Detected()
    {
        var r = new Random(7);
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var openSsh = B64(System.Text.Encoding.ASCII.GetBytes("openssh-key-" + "v1\0").Concat(Bytes(r, 60)).ToArray());
        return new TheoryData<string, string>
        {
            // DER private keys without their PEM header, as the first line of a key pasted into code.
            { "Private Key DER (base64)", "\"" + B64(rsa.ExportRSAPrivateKey())[..64] + "\\n\" +" },
            { "Private Key DER (base64)", "key = \"" + B64(rsa.ExportPkcs8PrivateKey())[..64] + "\"" },
            { "Private Key DER (base64)", "\"" + B64(p256.ExportECPrivateKey())[..64] + "\"" },
            { "Private Key DER (base64)", "\"" + B64(p384.ExportECPrivateKey())[..64] + "\"" },
            { "Private Key DER (base64)", "\"" + B64(p256.ExportPkcs8PrivateKey())[..64] + "\"" },
            { "Private Key DER (base64)", openSsh[..70] },
            // Key body lines wider than PEM's 64, and lines glued with escaped line breaks.
            { "Private Key Material", "\t+ \"" + StdB64Line(r, 75) + "\\r\\n\"" },
            { "Private Key Material", "\"" + StdB64Line(r, 18) + "\\\\n" + StdB64Line(r, 48) + "\\\\r" + R(r, Alnum, 12) + "\"" },
            // Structural and provider detectors.
            { "Atlassian Data Center PAT", "jira_pat " + AtlassianPat(r) },
            { "Atlassian Data Center PAT", "https://jira.example/rest/api/2/token/" + AtlassianPat(r) },
            { "AWS Access ID (other prefixes)", "AB" + "IA" + R(r, UpperAlnum, 16) },
            { "AWS Access ID (other prefixes)", "id=" + "AC" + "CA" + R(r, UpperAlnum, 16) },
            { "Langfuse Secret Key", "LANGFUSE_SECRET_KEY=" + "sk-" + "lf-" + Guid4() },
            { "PostHog Personal API Key", "ph" + "x_" + R(r, Alnum, 43) },
            { "Up Bank Personal Access Token", "up:" + "yeah:" + R(r, Alnum, 128) },
            { "Akahu Token", "X-Akahu-Id: " + "app_" + "token_" + R(r, LowerAlnum, 25) },
            { "Tiingo API Token", "tiingo: " + R(r, HexLower, 40) },
            { "Twelve Data API Key", "twelvedata_key = \"" + R(r, HexLower, 32) + "\"" },
            { "Alpha Vantage API Key", "ALPHA_VANTAGE=" + R(r, UpperAlnum, 16) },
            { "Etherscan API Key", "etherscan: " + R(r, UpperAlnum, 34) },
            { "Binance API Key", "binance.key = '" + R(r, Alnum, 64) + "'" },
            // Credential carriers; header values as the proxy scans them on their own.
            { "Authorization Scheme Credential", "Token " + R(r, HexLower, 40) },
            { "Authorization Scheme Credential", "apikey " + R(r, HexLower, 32) },
            { "Authorization Scheme Credential", "SSWS 00" + R(r, Alnum + "_-", 40) },
            { "OAuth 1.0 Credential", "Authorization: OAuth oauth_consumer_key=\"app\", oauth_token=\"" + R(r, Alnum, 40) + "\"" },
            { "OAuth 1.0 Credential", "headers = {authorization: /oauth_signature=\"" + Uri.EscapeDataString(B64(Bytes(r, 20))) + "\"/}" },
            { "SQL Password", "ALTER USER 'app'@'%' IDENTIFIED WITH 'mysql_native_password' AS '*" + R(r, "0123456789ABCDEF", 40) + "';" },
            { "API Key as curl User", "curl -u \"" + R(r, Alnum, 10) + "!" + R(r, Alnum, 3) + ":\" https://localhost:9200" },
            { "API Key as curl User", "curl https://api.example/v1/charges -u " + R(r, Alnum, 32) + ": -d amount=100" },
            { "Basic Auth Credentials (curl)", "curl -X POST --user \"{" + Guid4() + "}\":\"{" + Mixed(r) + "}\" https://api.example/v2" },
            { "Bearer Token", "curl -H 'Authorization: Bearer " + B64(Bytes(r, 256)) + "' https://api.example/x" },
            { "Generic Secret Assignment", "curl -H \"apikey: " + Guid4() + "\" https://api.example/rest/v1" },
            { "Generic Password Assignment", "password: Super" + "Secret" + R(r, Upper, 2) + "Pass!" + R(r, Digits, 4) },
            // Password punctuation that merely resembles template syntax ("{{…}" without "}}", "${…>#…").
            { "Generic Password Assignment", "password = \"" + R(r, Lower, 1) + "{{" + R(r, Lower, 2) + "}o)p${" + R(r, Lower, 2) + "]" + R(r, Lower, 5) + "(" + R(r, Lower, 3) + "[" + R(r, Lower, 4) + ">-_$#" + R(r, Lower, 6) + "}\"" },
        };
    }

    [Theory]
    [MemberData(nameof(Detected))]
    public void ScanText_GeneratedCredential_FlaggedByRule(string rule, string text) =>
        Assert.Contains(Scanner.ScanText(text).Findings, f => f.Rule == rule);

    public static TheoryData<string> LookAlikes()
    {
        var r = new Random(11);
        var words = SeedPhraseDetector.Words.Where(w => w.Length >= 5).ToArray();
        string Word() { var w = words[r.Next(words.Length)]; return char.ToUpperInvariant(w[0]) + w[1..]; }
        string id = R(r, Digits, 4), seg = R(r, Alnum, 6);
        using var rsa = RSA.Create(2048);
        var sshEd25519 = B64(new byte[] { 0, 0, 0, 11 }.Concat(System.Text.Encoding.ASCII.GetBytes("ssh-" + "ed25519")).Concat(new byte[] { 0, 0, 0, 32 }).Concat(Bytes(r, 32)).ToArray());
        return
        [
            // A mixed-case format upper-cased: lossy, so not a usable key any more.
            ("AI" + "za" + R(r, Alnum, 35)).ToUpperInvariant(),
            ("gh" + "p_" + R(r, Alnum, 36)).ToUpperInvariant(),
            // Identifiers made of words behind a short provider prefix.
            "glob.glob('HF_" + R(r, Upper, 8) + Word() + Word() + Word() + Word() + ".HF*.Linux64')",
            "const key = \"" + "pp" + "lx-" + Word() + Word() + Word() + Word() + R(r, Digits, 2) + "\";",
            // Hand-typed samples that repeat a segment.
            "\"token\": \"" + "xo" + "xp-" + id + "-" + id + "-" + id + "-" + R(r, HexLower, 32) + "\"",
            "gl" + "rt-" + seg + "_" + seg + "_" + R(r, Alnum, 6),
            // Code, not a literal: calls and indexers after an unquoted assignment.
            "password = getpass()",
            "db_password = get_secret(\"db\", \"" + R(r, Lower, 8) + "\")",
            "secret = os.environ[\"APP_SECRET\"]",
            "The token generator-configuration-value is documented below",
            "key pair-generation-walkthrough",
            // Credential words with a weak remainder.
            "password: secret" + R(r, Digits, 3),
            "client_secret = \"my_secret_" + R(r, Lower, 4) + "\"",
            // UUIDs that are ids: time-based under a token name, any UUID under a tracking name.
            "//registry.example.org:_authToken=" + Guid1(r),
            "continuationToken: " + Guid4(),
            "trace_token = " + Guid4(),
            // Compressed and media payloads look as random as key bodies.
            "printf '" + Gzip(R(r, Alnum + " ", 70)) + "' | base64 -d | gunzip",
            "\"" + ("iVBORw0KGgo" + StdB64Line(r, 60))[..64] + "\"",
            // Public key material in the clear.
            "ssh-" + "ed25519 " + sshEd25519 + " user@host",
            "authorized: " + sshEd25519,
        ];
    }

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public void ScanText_LookAlike_NotFlagged(string text)
    {
        var v = Scanner.ScanText(text);
        Assert.False(v.HasEnforceable, text + " => " + string.Join(", ", v.Findings.Select(f => f.Rule)));
    }

    [Fact]
    public void ScanText_RandomBase64OfPatLength_NotAtlassianPat()
    {
        var r = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            var tok = "N" + R(r, Alnum, 43);
            Assert.DoesNotContain(Scanner.ScanText("value " + tok).Findings, f => f.Rule == "Atlassian Data Center PAT");
        }
    }

    [Fact]
    public void ScanText_PublicKeyDer_NotPrivateKeyDer()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var der in new[] { rsa.ExportSubjectPublicKeyInfo(), rsa.ExportRSAPublicKey(), ec.ExportSubjectPublicKeyInfo() })
            Assert.DoesNotContain(Scanner.ScanText("\"" + B64(der) + "\"").Findings, f => f.Rule == "Private Key DER (base64)");
    }

    /// <summary>The hard negatives must not cost real (random) tokens: many generated keys per shape all stay detected.</summary>
    [Theory]
    [InlineData("Google API Key")]
    [InlineData("Hugging Face Token")]
    [InlineData("Slack Token")]
    [InlineData("GitHub Token")]
    [InlineData("Perplexity API Key")]
    public void ScanText_ManyRandomTokens_AllFlagged(string rule)
    {
        var r = new Random(rule.Length);
        Func<Random, string> gen = rule switch
        {
            "Hugging Face Token" => x => "hf" + "_" + R(x, Alnum, 34),
            "Perplexity API Key" => x => "pp" + "lx-" + R(x, Alnum, 48),
            _ => DefaultPatternsTests.Samples[rule],
        };
        for (int i = 0; i < 300; i++)
        {
            var t = gen(r);
            Assert.True(Scanner.ScanText("value: " + t).HasEnforceable, t);
        }
    }
}
