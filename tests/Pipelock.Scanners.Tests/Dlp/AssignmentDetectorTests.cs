using Pipelock.Scanners.Dlp;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

public sealed class AssignmentDetectorTests
{
    private static readonly DlpScanner Scanner = SecretGen.Scanner();
    private static readonly string Pw = "Tq7" + R(new Random(1), Alnum, 9) + "!x";
    private static readonly string Tok = R(new Random(2), Alnum, 32);

    public static TheoryData<string> Positives() =>
    [
        $"DB_PASSWORD={Pw}",
        $"password: \"{Pw}\"",
        $"{{\"password\":\"{Pw}\"}}",
        $"--password {Pw}",
        $"mysql_pwd = '{Pw}'",
        $"<password>{Pw}</password>",
        $"val password: String = \"{Pw}\"",
        $"if (password === \"{Pw}\") {{",
        $"setopt(h, CURLOPT_PASSWORD, \"{Pw}\");",
        $"user=admin pw={Pw}",
        $"client_secret = \"{Tok}\"",
        $"export SERVICE_API_KEY={Tok}",
        $"apiKey: {Tok}",
        $"System.setProperty(\"GITHUB_TOKEN\", \"{Tok}\")",
        $"curl -u admin:{Pw} https://x.example",
        $"Authorization: Bearer {Tok}",
        $"postgres://app:{Pw}@db.internal:5432/app",
        $"https://user:{Pw}@bridge.example/simplefin",
        $"CREATE USER app WITH PASSWORD '{Pw}';",
    ];

    public static TheoryData<string> Negatives() =>
    [
        "password = ${DB_PASSWORD}",
        "password: \"{{ .Values.password }}\"",
        "password = os.environ['DB_PASSWORD']",
        "password = getenv(\"DB_PASSWORD\")",
        "password: changeme",
        "password: ********",
        "password = \"<your-password>\"",
        "api_key = \"your_api_key_here\"",
        "token_type: bearer",
        "password_hash = \"$2b$12$" + "abcdefghijklmnopqrstuv\"",
        "integrity: sha512-" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
        "key_id = 3f2c9a1e-0b7d-4c55-9e21-7a6b5c4d3e2f",
        "correlation_token = 3f2c9a1e-0b7d-4c55-9e21-7a6b5c4d3e2f",
        "secret = self.config.secret_value",
        "password: keep_it_empty",
        "max_tokens = 4096",
        "keyboard: us-intl-layout",
        "passwordField = document.getElementById(\"pw\")",
        "the password is stored in the vault",
        "curl -u \"$USER:$PASSWORD\" https://x.example",
        "Authorization: Bearer <token>",
        "postgres://user:${PGPASSWORD}@db/app",
    ];

    [Theory]
    [MemberData(nameof(Positives))]
    public void ScanText_CredentialAssignment_Flagged(string text)
    {
        var v = Scanner.ScanText(text);
        Assert.True(v.HasEnforceable, text);
        Assert.All(v.Findings, f => Assert.DoesNotContain(Pw, f.Evidence));
    }

    [Theory]
    [MemberData(nameof(Negatives))]
    public void ScanText_NonCredential_Clean(string text) =>
        Assert.False(Scanner.ScanText(text).HasEnforceable, text);
}
