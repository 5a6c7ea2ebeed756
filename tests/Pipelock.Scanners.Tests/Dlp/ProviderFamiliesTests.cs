using Pipelock.Scanners.Dlp;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// Provider families added beyond the first rule set: every generated token is checked in the assignment shapes
/// code and config carry it in (Go, JSON, env, YAML, Java). Prefixes are assembled from parts.
/// </summary>
public sealed class ProviderFamiliesTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();

    /// <summary>Ways a value is written down, keyed by a lower-case identifier.</summary>
    private static readonly Func<string, string, string>[] Shapes =
    [
        (id, v) => $"{id}Token := \"{v}\"",
        (id, v) => $"{{\n    \"{id}_token\": \"{v}\"\n}}",
        (id, v) => $"{id.ToUpperInvariant()}_TOKEN={v}",
        (id, v) => $"{id}_token: {v}",
        (id, v) => $"String {id}Token = \"{v}\";",
    ];

    private static readonly string AlnumExt = Alnum + "=_-";

    public static TheoryData<string, string, string> Samples()
    {
        var r = new Random(21);
        var samples = new (string Rule, string Id, string Value)[]
        {
            ("Authress Service Client Key", "authress", "sc_" + R(r, LowerAlnum, 12) + "." + R(r, LowerAlnum, 5) + ".acc" + "_" + R(r, LowerAlnum, 20) + "." + R(r, Alnum + "+/", 60)),
            ("Defined Networking API Token", "dnkey", "dn" + "key-" + R(r, LowerAlnum, 26) + "-" + R(r, LowerAlnum, 52)),
            ("Octopus Deploy API Key", "octopus", "AP" + "I-" + R(r, UpperAlnum, 26)),
            ("Slack Legacy Workspace Token", "slack", "xo" + "xa-" + R(r, Alnum, 10)),
            ("Adyen API Key", "adyen", "AQE" + R(r, LowerAlnum, 5) + "." + R(r, AlnumExt, 60)),
            ("LangSmith API Key", "langsmith", "lsv2" + "_pt_" + R(r, LowerAlnum, 32) + "_" + R(r, LowerAlnum, 10)),
            ("CAST AI API Key", "castai", "castai" + "_v1_" + R(r, Alnum, 64) + "_" + R(r, Alnum, 8)),
            ("Chief Tools Token", "chieftools", "ct" + "p_" + R(r, Alnum, 36)),
            ("OpenRouter API Key", "openrouter", "sk-" + "or-v1-" + R(r, HexLower, 64)),
            ("Docker Hub PAT", "dockerhub", "dckr" + "_pat_" + R(r, Alnum + "_-", 27)),
            ("Supabase Personal Access Token", "supabase", "sb" + "p_" + R(r, HexLower, 40)),
            ("Docker Swarm Join Token", "swarm", "SWMTKN" + "-1-" + R(r, LowerAlnum, 50) + "-" + R(r, LowerAlnum, 25)),
            ("Bitbucket App Password", "bitbucket", "AT" + "BB" + R(r, Alnum, 32)),
            ("NuGet API Key", "nuget", "oy" + "2" + R(r, LowerAlnum, 43)),
            ("Codecov Access Token", "codecov", R(r, LowerAlnum, 32)),
            ("Contentful Delivery API Token", "contentful", R(r, Alnum + "_-", 43)),
            ("Drone CI Access Token", "droneci", R(r, LowerAlnum, 32)),
            ("JFrog API Key", "jfrog", R(r, LowerAlnum, 73)),
            ("JFrog Identity Token", "artifactory", R(r, LowerAlnum, 64)),
            ("Mapbox API Token (context)", "mapbox", "pk." + R(r, LowerAlnum, 60) + "." + R(r, LowerAlnum, 22)),
            ("Looker Client ID", "looker", R(r, LowerAlnum, 20)),
            ("Looker Client Secret", "looker", R(r, LowerAlnum, 24)),
            ("Adyen Client Key", "adyen", "test" + "_" + R(r, Alnum, 34)),
            ("Chargebee API Key", "chargebee", "live" + "_" + R(r, Alnum, 32)),
            ("Splunk HEC Token", "splunk", Guid.NewGuid().ToString()),
            ("Discord Client Secret", "discord", R(r, LowerAlnum, 28) + "=_-a"),
            ("Bitbucket HTTP Access Token", "bitbucket", "BB" + "DC-" + R(r, Alnum + "+/", 44)),
            ("ElevenLabs API Key", "elevenlabs", "sk" + "_" + R(r, HexLower, 48)),
            ("Firebase Cloud Messaging Server Key", "fcm", "AAAA" + R(r, Alnum, 7) + ":APA91b" + R(r, Alnum + "_-", 134)),
            ("Azure DevOps PAT", "ado", R(r, Alnum, 76) + "AZ" + "DO" + R(r, Alnum, 4)),
            ("AWS Session Token", "aws_session", "IQoJb3JpZ2lu" + "X2Vj" + R(r, Alnum + "+/", 300)),
            ("Mistral API Key", "mistral", R(r, Alnum, 32)),
            ("Postmark Server Token", "postmark", Guid.NewGuid().ToString()),
            ("Twilio Auth Token", "twilio", R(r, HexLower, 32)),
            ("Deepgram API Key", "deepgram", R(r, HexLower, 40)),
            ("AssemblyAI API Key", "assemblyai", R(r, HexLower, 32)),
        };
        var data = new TheoryData<string, string, string>();
        foreach (var (rule, id, value) in samples)
            for (int i = 0; i < Shapes.Length; i++)
                data.Add(rule, i.ToString(), Shapes[i](id, value));
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ScanText_ProviderTokenInAssignment_FlaggedByRule(string rule, string shape, string text) =>
        Assert.True(Scanner.ScanText(text).Findings.Any(f => f.Rule == rule), $"{rule} (shape {shape}): {text}");

    public static TheoryData<string, string> Structural()
    {
        var r = new Random(22);
        return new TheoryData<string, string>
        {
            { "Kubernetes Secret Manifest", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: " + Convert.ToBase64String(Bytes(r, 18)) + "\n" },
            { "Kubernetes Secret Manifest", "apiVersion: v1\ndata:\n  api-token: " + Convert.ToBase64String(Bytes(r, 24)) + "\nkind: Secret\nmetadata:\n  name: api\n" },
            { "Config Key/Value Credential", "<packageSourceCredentials><feed><add key=\"Username\" value=\"ci\" /><add key=\"ClearTextPassword\" value=\"" + R(r, Alnum + "!#", 16) + "\" /></feed>" },
            { "Config Key/Value Credential", "<appSettings><add key=\"StripeApiKey\" value=\"" + R(r, Alnum, 28) + "\"/></appSettings>" },
            { "Freemius Secret Key", "'secret_key' => 'sk" + "_" + R(r, Alnum + "!;<", 29) + "'," },
            { "Django Insecure Secret Key", "SECRET_KEY = \"django-" + "insecure-" + R(r, Alnum + "!%_&*^)(", 50) + "\"" },
            { "Ansible Vault Blob", "$ANSIBLE_VAULT;1.1;AES256\n" + R(r, HexLower, 80) + "\n" + R(r, HexLower, 80) },
            { "Azure Data Factory SHIR Key", "IR@" + Guid.NewGuid() + "@adf-app-001@we@" + Convert.ToBase64String(Bytes(r, 32)) },
            { "Kubernetes Bootstrap Token", "kubeadm join 10.0.0.5:6443 --token " + R(r, LowerAlnum, 6) + "." + R(r, LowerAlnum, 16) + " --discovery-token-ca-cert-hash sha256:" + R(r, HexLower, 64) },
            { "Zapier Webhook", "curl -X POST https://hooks.zapier.com/hooks/catch/" + R(r, Digits, 7) + "/" + R(r, LowerAlnum, 7) + "/ -d x=1" },
            { "Azure Shared Access Key", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=" + Convert.ToBase64String(Bytes(r, 32)) },
            { "Claude Code Session URL", "see https://claude.ai/code/session_" + R(r, Alnum, 24) + " for context" },
        };
    }

    [Theory]
    [MemberData(nameof(Structural))]
    public void ScanText_StructuralCarrier_FlaggedByRule(string rule, string text) =>
        Assert.Contains(Scanner.ScanText(text).Findings, f => f.Rule == rule);

    /// <summary>What the first user's integrations put on the wire (sure-integration §3): header values on their own,
    /// query parameters, "Name: value" header lines.</summary>
    public static TheoryData<string> SureCarriers()
    {
        var r = new Random(23);
        return
        [
            "Token " + R(r, HexLower, 40),                                                             // Tiingo
            "apikey " + R(r, HexLower, 32),                                                            // Twelve Data
            "https://www.alphavantage.co/query?function=TIME_SERIES_DAILY&symbol=IBM&apikey=" + R(r, UpperAlnum, 16),
            "https://eodhd.com/api/eod/AAPL.US?api_token=" + R(r, Alnum, 24) + "&fmt=json",
            "PLAID-CLIENT-ID: " + R(r, HexLower, 24) + "\nPLAID-SECRET: " + R(r, HexLower, 30),
            "x-api-key: " + "sk-" + "ant-api03-" + R(r, Alnum + "-_", 93) + "AA",
            "Bearer " + "sk-" + "proj-" + R(r, Alnum, 48),
            "https://" + R(r, Alnum, 16) + ":" + R(r, Alnum, 32) + "@beta-bridge.simplefin.org/simplefin/accounts?start-date=1",
            "organizations/" + Guid.NewGuid() + "/apiKeys/" + Guid.NewGuid(),
            "STRIPE_SECRET_KEY=" + "sk" + "_live_" + R(r, Alnum, 24),
            "POSTHOG_PERSONAL_API_KEY=" + "ph" + "x_" + R(r, Alnum, 43),
            "LANGFUSE_SECRET_KEY=" + "sk-" + "lf-" + Guid.NewGuid(),
        ];
    }

    [Theory]
    [MemberData(nameof(SureCarriers))]
    public void ScanText_FirstUserIntegrationCredential_Flagged(string text) =>
        Assert.True(Scanner.ScanText(text).HasEnforceable, text);

    [Theory]
    [InlineData("apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n")]
    [InlineData("kind: ConfigMap\ndata:\n  log_level: info\n  feature_flags: enabled\n")]
    [InlineData("<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />")]
    [InlineData("<add key=\"TokenLifetimeMinutes\" value=\"60\" />")]
    [InlineData("GET /api-docs/API-REFERENCE-OVERVIEW-GUIDE-V2 HTTP/1.1")]
    [InlineData("test_ThisIsAVeryLongCamelCaseTestName")]
    public void ScanText_LookAlike_NotFlagged(string text)
    {
        var v = Scanner.ScanText(text);
        Assert.False(v.HasEnforceable, text + " => " + string.Join(", ", v.Findings.Select(f => f.Rule)));
    }

    private static byte[] Bytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }
}
