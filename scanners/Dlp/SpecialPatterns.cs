using static Pipelock.Scanners.Verdicts.Severity;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Structural credential carriers that are not provider keys: URL userinfo, database connection strings,
/// Authorization headers, curl -u, SQL and PowerShell password literals, JWK private parts, GCP service-account
/// JSON, and the first user's integrations (SimpleFIN access/claim URLs, Plaid and Coinbase headers).
/// </summary>
public static class SpecialPatterns
{
    private const string DbSchemes = @"postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|couchbase|neo4j(?:\+s)?|bolt|nats|kafka|jdbc:[a-z]+|db2|snowflake";

    private const string K8sSecret = "Kubernetes Secret Manifest";

    public static IReadOnlyList<DlpPattern> All { get; } =
    [
        new("SimpleFIN Access URL", @"https?://[^\s:@/'""<>]{1,128}:[^\s@/'""<>]{8,256}@[a-z0-9.\-]+(?::\d+)?/simplefin", Critical) { Keywords = ["/simplefin"] },
        new("SimpleFIN Claim URL", @"https?://[a-z0-9.\-]+(?::\d+)?/simplefin/claim/[A-Za-z0-9_\-]{10,}", Critical) { Keywords = ["/simplefin/claim/"] },
        new("Database Connection String", $@"\b(?:{DbSchemes})://[^\s:@/'""<>]{{1,64}}:([^\s@/'""<>]{{3,128}})@[^\s/'""<>]+", Critical) { Keywords = ["://"], ValueGroup = 1, Judge = KeyKind.Lenient, NearChar = '@' },
        new("Basic Auth Credentials", @"\b[a-z][a-z0-9+.\-]{1,15}://[^\s:/'""<>]{1,64}:([^\s@/'""<>]{3,128})@[a-z0-9][a-z0-9.\-]*", High) { Keywords = ["://"], ValueGroup = 1, Judge = KeyKind.Lenient, NearChar = '@' },
        new("Authorization Header Credential", @"(?:authorization|proxy-authorization)[""']?\s*[:=]\s*[""']?(?:[a-z][a-z0-9_-]{1,20}\s+)?([A-Za-z0-9._~+/=\-:%]{8,})", High) { Keywords = ["authorization"], ValueGroup = 1, Judge = KeyKind.Lenient },
        // An Authorization header value scanned on its own ("Token 3f9a…" for Tiingo, "apikey 9c2b…" for Twelve Data,
        // "SSWS …" for Okta): scheme and credential are the whole line, which prose never is.
        new("Authorization Scheme Credential", @"(?m)^[ \t]*(?:token|apikey|api-key|api_key|key|ssws|sso-key|bot|basic|digest)[ \t]+([A-Za-z0-9._~+/=\-:%]{16,})[ \t]*$", High)
            { Keywords = ["token ", "apikey ", "api-key ", "api_key ", "key ", "ssws ", "sso-key ", "bot ", "basic ", "digest "], ValueGroup = 1, Judge = KeyKind.Secret },
        new("Bearer Token", @"\bbearer\s+([A-Za-z0-9._~+/\-]{20,}={0,2})", High) { Keywords = ["bearer"], ValueGroup = 1, Judge = KeyKind.Secret },
        // -u user:pass, also with user and password quoted separately (-u "user":"pass").
        new("Basic Auth Credentials (curl)", @"\bcurl\b[^\n]{0,300}?\s(?:-u|--user)(?:\s+|=)[""']?[^\s:""'$]{0,64}[""']?:[""']?([^\s""']{3,128})", High) { Keywords = ["curl"], ValueGroup = 1, Judge = KeyKind.Lenient },
        // -u "token:" (empty password): APIs that take the key as the Basic-auth user name (Stripe, Elastic, Mailgun…).
        new("API Key as curl User", @"\bcurl\b[^\n]{0,300}?\s(?:-u|--user)(?:\s+|=)[""']?([^\s:""'$]{8,128}):[""']?(?:\s|$)", High) { Keywords = ["curl"], ValueGroup = 1, Judge = KeyKind.Secret },
        // "IDENTIFIED WITH plugin AS '<hash>'" stores a password hash, which MySQL native auth accepts as-is (pass the hash).
        new("SQL Password", @"(?:identified\s+(?:with\s+['""]?\w+['""]?\s+)?(?:by|as)|with\s+(?:login\s+)?(?:encrypted\s+)?password|password\s*=)\s*['""]?([^\s'"";,)]{4,})", Critical) { Keywords = ["identified by", "identified with", "password"], ValueGroup = 1, Judge = KeyKind.Password },
        new("PowerShell SecureString Literal", @"ConvertTo-SecureString(?:\s+-(?:String|AsPlainText|Force))*\s+\\*[""']?([^\s""'\\\-][^\s""'\\]{5,})", High) { Keywords = ["convertto-securestring"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("OpenSSL Passphrase", @"-pass(?:in|out)?\s+[""']?(?:pass|env):([^\s""']{4,})", High) { Keywords = ["-pass"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("XML Password Element", @"<([\w.:-]*(?:pass|pwd|secret|token)[\w.:-]*)(?:\s[^>]{0,200})?>([^<\s]{6,128})</\1>", High) { Keywords = ["pass", "pwd", "secret", "token"], ValueGroup = 2, Judge = KeyKind.Password },
        new("JWK Private Key", @"""(?:d|p|q|dp|dq|qi|k)""\s*:\s*""([A-Za-z0-9_\-]{20,})""", High) { Keywords = ["\"d\"", "\"k\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""], ValueGroup = 1, MinEntropy = 3.5 },
        // OAuth 1.0a request signing (Authorization: OAuth …, or query parameters): the access token and the signature.
        new("OAuth 1.0 Credential", @"\boauth_(?:token|signature|token_secret|consumer_secret)[""']?\s*[=:]\s*[""']?([A-Za-z0-9%._~+/=\-]{16,})", High) { Keywords = ["oauth_token", "oauth_signature", "oauth_consumer_secret"], ValueGroup = 1, Judge = KeyKind.Secret },
        // A private key's DER encoding, base64, without its PEM header: the fixed ASN.1 prefix of PKCS#1 RSA/DSA
        // ("MII…IBAAK"), unencrypted PKCS#8 (RSA, EC, Ed25519/X25519), SEC1 EC keys, and the OpenSSH key format
        // ("openssh-key-v1"). Public keys and certificates start differently (no version-0 INTEGER after the length).
        new("Private Key DER (base64)", @"(?-i:(?:MII[A-Za-z0-9+/]{3}IBAAK[BC]|MII[A-Za-z0-9+/]{3}IBADANBgkqhkiG9w0BAQEFAAS|MIG[A-Za-z0-9+/]AgEAMBMGByqGSM49AgE|MC4CAQAwBQYDK2V[wu]BCIEI|MH[A-Za-z0-9+/]CAQEE[IL]|MI[GH][A-Za-z0-9+/]AgEBB[DE]|b3BlbnNzaC1rZXktdjE)[A-Za-z0-9+/]{16,})", Critical) { Keywords = ["ibaak", "ibadanbgkqhkig9w0baqefaas", "ageambmgbyqgsm49age", "caqawbqydk2v", "caqee", "agebb", "b3blbnnzac1rzxktdje"] },
        // Kubernetes Secret manifests: the first data/stringData value, with "kind: Secret" before or after the data block
        // (kubectl prints keys alphabetically, so "data:" usually comes first). Templated values ({{ … }}) do not match.
        new(K8sSecret, @"(?:^|[\s""'{,])kind:[ \t]*[""']?secret[""']?[\s,}][\s\S]{0,200}?(?:data|stringData)[""']?:\s+(?:[\w.-]+[""']?:\s*[""']?[^\s""']*[""']?[\s,]+){0,8}?[\w.-]+[""']?:[ \t]*(?:[|>][-+]?\s+)?[""']?([A-Za-z0-9+/]{10,}={0,3})(?:[""'\s,}]|$)", High)
            { Keywords = ["kind: secret", "kind: \"secret\"", "kind: 'secret'", "\"kind\":\"secret\""], ValueGroup = 1, Judge = KeyKind.Lenient },
        new(K8sSecret, @"(?:^|\s)data:\s+(?:[\w.-]+:\s*[""']?[^\s""']*[""']?\s+){0,8}?[\w.-]+:[ \t]*(?:[|>][-+]?\s+)?[""']?([A-Za-z0-9+/]{10,}={0,3})[""']?\s[\s\S]{0,300}?kind:[ \t]*[""']?secret(?:[""'\s]|$)", High)
            { Keywords = ["data:"], ValueGroup = 1, Judge = KeyKind.Lenient },
        // .NET/NuGet config: <add key="ClearTextPassword" value="…"/>, appSettings <add key="ApiKey" value="…"/>.
        new("Config Key/Value Credential", @"<add\s+key\s*=\s*""[^""]{0,60}(?:password|passwd|pwd|secret|token|apikey|api_key|api-key|accesskey|access_key)[^""]{0,60}""\s+value\s*=\s*""([^""]{4,200})""", High)
            { Keywords = ["<add"], ValueGroup = 1, Judge = KeyKind.Password },
        // Freemius SDK config: 'secret_key' => 'sk_…'.
        new("Freemius Secret Key", @"[""']secret_key[""']\s*=>\s*[""'](sk_[^\s""']{29})[""']", Critical) { Keywords = ["secret_key"], ValueGroup = 1 },
        // kubeadm bootstrap tokens ("kubeadm join … --token abcdef.0123456789abcdef", "token: …" in a join config).
        new("Kubernetes Bootstrap Token", @"token[""']?(?:\s*[=:]\s*|\s+)[""']?(?-i:([a-z0-9]{6}\.[a-z0-9]{16}))(?:[^A-Za-z0-9.]|$)", Critical) { Keywords = ["token"], ValueGroup = 1 },
        new("GCP Service Account Private Key ID", @"""private_key_id""\s*:\s*""[a-f0-9]{40}""", Critical) { Keywords = ["private_key_id"] },
        new("Plaid Client ID Header", @"plaid[-_]client[-_]id[""']?\s*[:=]\s*[""']?([a-f0-9]{24})\b", Medium) { Keywords = ["plaid-client-id", "plaid_client_id"], ValueGroup = 1 },
        new("Plaid Secret", @"plaid[-_]?secret[""']?\s*[:=]\s*[""']?([a-f0-9]{30})\b", Critical) { Keywords = ["plaid-secret", "plaid_secret", "plaidsecret"], ValueGroup = 1 },
        new("Coinbase CDP Private Key", @"(?:api_?key_?secret|privateKey|private_key)[""']?\s*[:=]\s*[""']-----BEGIN EC PRIVATE KEY-----", Critical) { Keywords = ["begin ec private key"] },
        new("Password in Telnet/FTP Prompt", @"(?:^|\s)(?:ftp|sftp|scp|ssh|mysql|psql)\s[^\n]{0,120}?\s-p(?:assword)?[= ]?[""']?([^\s""'-][^\s""']{5,})", Medium) { Keywords = ["mysql", "psql"], ValueGroup = 1, Judge = KeyKind.Password },
    ];
}
