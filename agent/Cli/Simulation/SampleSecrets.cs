using System.Security.Cryptography;

namespace Pipelock.Agent.Cli.Simulation;

/// <summary>
/// Credentials for the simulation, made at run time: format-valid tokens with random bodies, and the well-known
/// documentation examples assembled from parts, so no credential-looking literal sits in the source.
/// </summary>
internal static class SampleSecrets
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Digits = "0123456789";

    /// <summary>AWS's documented example access key id.</summary>
    public static string AwsExampleKeyId => "AK" + "IA" + "IOSFODNN7" + "EXAMPLE";

    /// <summary>The Bitcoin wiki's documented example WIF private key.</summary>
    public static string BitcoinWikiWif => "5HueCGU8rMjx" + "EXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";

    public static string GitHubToken() => "gh" + "p_" + Random(Alnum, 36);

    public static string SlackBotToken() => "xo" + "xb-" + Random(Digits, 11) + "-" + Random(Digits, 12) + "-" + Random(Alnum, 24);

    public static string AnthropicKey() => "sk-" + "ant-" + "api03-" + Random(Alnum + "-_", 80);

    public static string OpenAiProjectKey() => "sk-" + "proj-" + Random(Alnum + "-_", 48);

    private static string Random(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
