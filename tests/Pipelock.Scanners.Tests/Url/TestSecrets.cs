using System.Security.Cryptography;

namespace Pipelock.Scanners.Tests.Url;

/// <summary>Format-valid credentials generated at test time (never committed as literals).</summary>
public static class TestSecrets
{
    private const string Upper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string Random(string alphabet, int n) => RandomNumberGenerator.GetString(alphabet, n);

    public static string Aws() => "AK" + "IA" + Random(Upper32, 16);

    /// <summary>The catalogue's documentation example, assembled from parts.</summary>
    public static string AwsDocExample() => "AKIA" + "IOSFODNN7" + "EXAMPLE";

    public static string Anthropic() => "sk-" + "ant-" + "api03-" + Random(Alnum, 40);

    public static string OpenAiProject() => "sk-" + "proj-" + Random(Alnum, 48);

    public static string GitHub() => "gh" + "p_" + Random(Alnum, 36);

    /// <summary>Uncompressed-key WIF: base58check(0x80 ‖ 32 random bytes).</summary>
    public static string Wif()
    {
        var payload = new byte[33];
        payload[0] = 0x80;
        RandomNumberGenerator.Fill(payload.AsSpan(1));
        var check = SHA256.HashData(SHA256.HashData(payload));
        var full = payload.Concat(check.Take(4)).ToArray();
        var n = new System.Numerics.BigInteger(full, isUnsigned: true, isBigEndian: true);
        var sb = new System.Text.StringBuilder();
        while (n > 0) { sb.Insert(0, Base58[(int)(n % 58)]); n /= 58; }
        foreach (var b in full) { if (b != 0) break; sb.Insert(0, '1'); }
        return sb.ToString();
    }
}
