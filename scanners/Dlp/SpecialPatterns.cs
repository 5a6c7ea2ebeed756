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

    public static IReadOnlyList<DlpPattern> All { get; } =
    [
        new("SimpleFIN Access URL", @"https?://[^\s:@/'""<>]{1,128}:[^\s@/'""<>]{8,256}@[a-z0-9.\-]+(?::\d+)?/simplefin", Critical) { Keywords = ["/simplefin"] },
        new("SimpleFIN Claim URL", @"https?://[a-z0-9.\-]+(?::\d+)?/simplefin/claim/[A-Za-z0-9_\-]{10,}", Critical) { Keywords = ["/simplefin/claim/"] },
        new("Database Connection String", $@"\b(?:{DbSchemes})://[^\s:@/'""<>]{{1,64}}:([^\s@/'""<>]{{3,128}})@[^\s/'""<>]+", Critical) { Keywords = ["://"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("Basic Auth Credentials", @"\b[a-z][a-z0-9+.\-]{1,15}://[^\s:/'""<>]{1,64}:([^\s@/'""<>]{3,128})@[a-z0-9][a-z0-9.\-]*", High) { Keywords = ["://"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("Authorization Header Credential", @"(?:authorization|proxy-authorization)[""']?\s*[:=]\s*[""']?(?:[a-z][a-z0-9_-]{1,20}\s+)?([A-Za-z0-9._~+/=\-:%]{8,})", High) { Keywords = ["authorization"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("Bearer Token", @"\bbearer\s+([A-Za-z0-9._~+/\-]{20,}={0,2})", High) { Keywords = ["bearer"], ValueGroup = 1, Judge = KeyKind.Secret },
        new("Basic Auth Credentials (curl)", @"\bcurl\b[^\n]{0,300}?\s(?:-u|--user)(?:\s+|=)[""']?[^\s:""'$]{0,64}:[""']?([^\s""']{3,128})", High) { Keywords = ["curl"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("SQL Password", @"(?:identified\s+(?:with\s+['""]?\w+['""]?\s+)?by|with\s+(?:login\s+)?(?:encrypted\s+)?password|password\s*=)\s*['""]?([^\s'"";,)]{4,})", Critical) { Keywords = ["identified by", "password"], ValueGroup = 1, Judge = KeyKind.Password },
        new("PowerShell SecureString Literal", @"ConvertTo-SecureString(?:\s+-(?:String|AsPlainText|Force))*\s+\\*[""']?([^\s""'\\\-][^\s""'\\]{5,})", High) { Keywords = ["convertto-securestring"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("OpenSSL Passphrase", @"-pass(?:in|out)?\s+[""']?(?:pass|env):([^\s""']{4,})", High) { Keywords = ["-pass"], ValueGroup = 1, Judge = KeyKind.Lenient },
        new("XML Password Element", @"<([\w.:-]*(?:pass|pwd|secret|token)[\w.:-]*)(?:\s[^>]{0,200})?>([^<\s]{6,128})</\1>", High) { Keywords = ["pass", "pwd", "secret", "token"], ValueGroup = 2, Judge = KeyKind.Password },
        new("JWK Private Key", @"""(?:d|p|q|dp|dq|qi|k)""\s*:\s*""([A-Za-z0-9_\-]{20,})""", High) { Keywords = ["\"d\"", "\"k\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""], ValueGroup = 1, MinEntropy = 3.5 },
        new("GCP Service Account Private Key ID", @"""private_key_id""\s*:\s*""[a-f0-9]{40}""", Critical) { Keywords = ["private_key_id"] },
        new("Plaid Client ID Header", @"plaid[-_]client[-_]id[""']?\s*[:=]\s*[""']?([a-f0-9]{24})\b", Medium) { Keywords = ["plaid-client-id", "plaid_client_id"], ValueGroup = 1 },
        new("Plaid Secret", @"plaid[-_]?secret[""']?\s*[:=]\s*[""']?([a-f0-9]{30})\b", Critical) { Keywords = ["plaid-secret", "plaid_secret", "plaidsecret"], ValueGroup = 1 },
        new("Coinbase CDP Private Key", @"(?:api_?key_?secret|privateKey|private_key)[""']?\s*[:=]\s*[""']-----BEGIN EC PRIVATE KEY-----", Critical) { Keywords = ["begin ec private key"] },
        new("Password in Telnet/FTP Prompt", @"(?:^|\s)(?:ftp|sftp|scp|ssh|mysql|psql)\s[^\n]{0,120}?\s-p(?:assword)?[= ]?[""']?([^\s""'-][^\s""']{5,})", Medium) { Keywords = ["mysql", "psql"], ValueGroup = 1, Judge = KeyKind.Password },
    ];
}
