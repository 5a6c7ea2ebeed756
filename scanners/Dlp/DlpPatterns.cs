using Pipelock.Scanners.Verdicts;
using static Pipelock.Scanners.Verdicts.Severity;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Pipelock's built-in DLP rules, regexes verbatim from <c>internal/config/defaults.go</c> (catalogue §1.1),
/// and the immutable core floor from <c>internal/scanner/core.go</c>.
/// </summary>
public static class DlpPatterns
{
    /// <summary>The 48 default patterns (<c>dlp.include_defaults</c>).</summary>
    public static IReadOnlyList<DlpPattern> Defaults { get; } =
    [
        new("Anthropic API Key", @"sk-ant-[a-zA-Z0-9\-_]{10,}", Critical),
        new("OpenAI API Key", @"sk-proj-[a-zA-Z0-9\-_]{10,}", Critical),
        new("OpenAI Service Key", @"sk-svcacct-[a-zA-Z0-9\-]{10,}", Critical),
        new("Fireworks API Key", @"fw_[a-zA-Z0-9]{24,}", Critical),
        new("Google API Key", @"AIza[0-9A-Za-z\-_]{35}", High),
        new("Google OAuth Client Secret", @"GOCSPX-[A-Za-z0-9_\-]{28,}", Critical),
        new("Stripe Key", @"[sr]k[-_](live|test)[-_][a-zA-Z0-9]{20,}", Critical) { Keywords = ["sk_live", "sk-live", "sk_test", "sk-test", "rk_live", "rk-live", "rk_test", "rk-test"] },
        new("Stripe Webhook Secret", @"whsec_[a-zA-Z0-9_\-]{20,}", Critical),
        new("GitHub Token", @"gh[pousr]_[A-Za-z0-9_]{36,}", Critical) { Keywords = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] },
        new("GitHub Fine-Grained PAT", @"github_pat_[a-zA-Z0-9_]{36,}", Critical),
        new("GitLab PAT", @"glpat-[a-zA-Z0-9\-_]{20,}", Critical),
        new("AWS Access ID", @"(AKIA|A3T|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16,}", Critical) { Keywords = ["akia", "a3t", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "asia"] },
        new("AWS Secret Key", @"(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|secret.?access.?key|SecretAccessKey)\s*[""'=:\s]{1,5}\s*[A-Za-z0-9/+=]{40}", Critical) { Keywords = ["secret"] },
        new("Google OAuth Token", @"ya29\.[a-zA-Z0-9_-]{20,}", Critical),
        new("Slack Token", @"xox[bpras]-[0-9a-zA-Z-]{15,}", Critical) { Keywords = ["xoxb-", "xoxp-", "xoxr-", "xoxa-", "xoxs-"] },
        new("Slack App Token", @"xapp-[0-9]+-[A-Za-z0-9_]+-[0-9]+-[a-f0-9]+", Critical),
        new("Discord Bot Token", @"[MN][A-Za-z0-9]{23,}\.[A-Za-z0-9\-_]{6}\.[A-Za-z0-9\-_]{27,}", Critical) { Keywords = [], MinRun = 58 },
        new("Twilio API Key", @"SK[a-f0-9]{32}", High) { Keywords = [], MinRun = 34 },
        new("SendGrid API Key", @"SG\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9_-]{43}", Critical),
        new("Mailgun API Key", @"key-[a-zA-Z0-9]{32}", High),
        new("New Relic API Key", @"NRAK-[A-Z0-9]{27,}", Critical),
        new("Hugging Face Token", @"hf_[A-Za-z0-9]{20,}", Critical),
        new("Databricks Token", @"dapi[a-z0-9]{30,}", Critical),
        new("Replicate API Token", @"r8_[A-Za-z0-9]{20,}", Critical),
        new("Together AI Key", @"tok_[a-z0-9]{40,}", Critical),
        new("Pinecone API Key", @"pcsk_[a-zA-Z0-9]{36,}", Critical),
        new("Groq API Key", @"gsk_[a-zA-Z0-9]{48,}", Critical),
        new("xAI API Key", @"xai-[a-zA-Z0-9\-_]{80,}", Critical),
        new("DigitalOcean Token", @"dop_v1_[a-f0-9]{64}", Critical),
        new("HashiCorp Vault Token", @"hvs\.[a-zA-Z0-9]{23,}", Critical),
        new("Vercel Token", @"(?:vercel|vc[piark])_[a-zA-Z0-9]{24,}", Critical) { Keywords = ["vercel_", "vcp_", "vci_", "vca_", "vcr_", "vck_"] },
        new("Supabase Service Key", @"sb_secret_[a-zA-Z0-9_-]{20,}", Critical),
        new("npm Token", @"npm_[A-Za-z0-9]{36,}", Critical),
        new("PyPI Token", @"pypi-[A-Za-z0-9_-]{16,}", Critical),
        new("Linear API Key", @"lin_api_[a-zA-Z0-9]{40,}", High),
        new("Notion API Key", @"ntn_[a-zA-Z0-9]{40,}", High),
        new("Sentry Auth Token", @"sntrys_[a-zA-Z0-9]{40,}", High),
        new("Private Key Header", @"-----BEGIN\s+(RSA\s+|EC\s+|DSA\s+|OPENSSH\s+)?PRIVATE\s+KEY-----", Critical),
        new("JWT Token", @"(ey[a-zA-Z0-9_\-=]{10,}\.){2}[a-zA-Z0-9_\-=]{10,}", High) { Keywords = [], MinRun = 36 },
        new("Bitcoin WIF Private Key", @"(?:5[1-9A-HJ-NP-Za-km-z]{50}|[KL][1-9A-HJ-NP-Za-km-z]{51})", Critical, "wif") { Keywords = [], MinRun = 51 },
        new("Extended Private Key", @"[xyzt]prv[1-9A-HJ-NP-Za-km-z]{107,108}", Critical) { Keywords = ["xprv", "yprv", "zprv", "tprv"] },
        new("Ethereum Private Key", @"0x[0-9a-f]{64}\b", Critical),
        new("Social Security Number", @"\b\d{3}-\d{2}-\d{4}\b", Low) { Keywords = [], MinDigits = 9 },
        new("Google OAuth Client ID", @"[0-9]{6,}-[0-9A-Za-z_]{32}\.apps\.googleusercontent\.com", Medium) { Keywords = [".apps.googleusercontent.com"] },
        new("Credential in URL", @"(?m)(?:^|[?&;])\s*(?:password|passwd|secret|token|apikey|api_key|api-key)\s*=\s*[^\s&]{4,}", High) { Keywords = ["password", "passwd", "secret", "token", "apikey", "api_key", "api-key"] },
        new("Environment Variable Secret", @"(?-i:[A-Z][A-Z0-9]*[_-](?:SECRET(?:[_-]ACCESS)?[_-]?KEY|SECRET|PASSWORD|PASSWD|TOKEN|API[_-]?KEY))\b\s*=\s*\S{8,}", High) { Keywords = ["secret", "password", "passwd", "token", "api_key", "api-key", "apikey"] },
        new("Credit Card Number", @"\b\d{4}(?:[- ]?\d){11,15}\b", Medium, "luhn") { Keywords = [], MinDigits = 15 },
        new("IBAN", @"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b", Medium, "mod97") { Keywords = [], MinRun = 15, MinDigits = 2 },
    ];

    /// <summary>Name of the core-only rule that catches GCP service-account JSON.</summary>
    public const string GcpServiceAccountKey = "GCP Service Account Key";

    /// <summary>
    /// The immutable core floor: runs first on every scan and cannot be disabled by configuration
    /// (<c>include_defaults: false</c>, exemptions). Scanner label <see cref="ScannerNames.CoreDlp"/>.
    /// </summary>
    public static IReadOnlyList<DlpPattern> Core { get; } =
    [
        Byname("AWS Access ID"),
        Byname("AWS Secret Key"),
        new(GcpServiceAccountKey, @"""type""\s*:\s*""service_account""", Critical) { Keywords = ["service_account"], Scanner = ScannerNames.CoreDlp },
        Byname("GitHub Token"),
        Byname("GitHub Fine-Grained PAT"),
        Byname("GitLab PAT"),
        Byname("Slack Token"),
        Byname("Private Key Header"),
    ];

    private static DlpPattern Byname(string name) =>
        Defaults.First(p => p.Name == name) with { Scanner = ScannerNames.CoreDlp };
}
