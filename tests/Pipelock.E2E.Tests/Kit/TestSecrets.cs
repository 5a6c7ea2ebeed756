using System.Security.Cryptography;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// Format-valid fake credentials made at test time (never committed, different every run), and random filler that
/// looks like no credential and no instruction.
/// </summary>
public static class TestSecrets
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly string[] Words =
    [
        "budget", "grocery", "rent", "savings", "coffee", "invoice", "transfer", "salary", "utilities", "holiday",
        "insurance", "checking", "monthly", "receipt", "garden", "bicycle", "library", "weekend", "museum", "river",
    ];

    /// <summary>A GitHub personal access token: "ghp_" + 36 of [A-Za-z0-9].</summary>
    public static string GitHubToken() => "ghp_" + Alphanumeric(36);

    /// <summary>An AWS access key id: "AKIA" + 16 of [A-Z2-7].</summary>
    public static string AwsAccessKeyId() => "AKIA" + RandomNumberGenerator.GetString(Base32Upper, 16);

    public static string Alphanumeric(int length) => RandomNumberGenerator.GetString(Alnum, length);

    /// <summary>Lower-case words separated by spaces: prose no scanner has a reason to flag.</summary>
    public static string Prose(int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[RandomNumberGenerator.GetInt32(Words.Length)]));
}
