namespace Pipelock.Scanners.Dlp;

/// <summary>A canary token (Pipelock's <c>canary_tokens.tokens[]</c>): a known-fake value whose appearance means exfiltration.</summary>
public sealed record CanaryToken(string Name, string Value, string? EnvVar = null);

/// <summary>
/// DLP settings (Pipelock's <c>dlp</c>, <c>canary_tokens</c>, <c>seed_phrase_detection</c> sections). Defaults are
/// Pipelock's defaults. Scanners never read files: the caller loads <c>secrets_file</c> with <see cref="SecretsFile.Load"/>.
/// </summary>
public sealed record DlpOptions
{
    /// <summary><c>dlp.include_defaults</c>: the 48 built-in patterns. The core floor runs regardless.</summary>
    public bool IncludeDefaults { get; init; } = true;

    /// <summary>User patterns (<c>dlp.patterns</c>), appended after the defaults.</summary>
    public IReadOnlyList<DlpPattern> Patterns { get; init; } = [];

    /// <summary>Provider families beyond the 48, structural carriers (URL userinfo, Authorization, DB URLs) and the generic assignment / key-material detectors.</summary>
    public bool IncludeExtended { get; init; } = true;

    /// <summary><c>dlp.scan_env</c>.</summary>
    public bool ScanEnv { get; init; } = true;

    /// <summary><c>dlp.min_env_secret_length</c>.</summary>
    public int MinEnvSecretLength { get; init; } = 16;

    /// <summary>Secrets from <c>dlp.secrets_file</c> (already loaded and validated).</summary>
    public IReadOnlyList<string> FileSecrets { get; init; } = [];

    /// <summary><c>canary_tokens.tokens</c> (empty = disabled).</summary>
    public IReadOnlyList<CanaryToken> CanaryTokens { get; init; } = [];

    /// <summary><c>seed_phrase_detection.enabled</c>.</summary>
    public bool SeedPhraseDetection { get; init; } = true;

    /// <summary><c>seed_phrase_detection.min_words</c>.</summary>
    public int SeedPhraseMinWords { get; init; } = 12;

    /// <summary><c>seed_phrase_detection.verify_checksum</c>.</summary>
    public bool SeedPhraseVerifyChecksum { get; init; } = true;

    /// <summary>Recursive decode depth for ScanText (Pipelock: 3).</summary>
    public int MaxDecodeDepth { get; init; } = 3;

    /// <summary>
    /// Turns off the prefilters derived by static analysis of the rules: the clean-text gate and the class-run window
    /// check (equivalence tests and benchmarks compare both paths).
    /// </summary>
    internal bool DisableCleanTextGate { get; init; }
}
