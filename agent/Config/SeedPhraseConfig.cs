namespace Pipelock.Agent.Config;

/// <summary><c>seed_phrase_detection</c>: BIP-39 mnemonic detection. MinWords is 12, 15, 18, 21 or 24.</summary>
public sealed record SeedPhraseConfig
{
    public bool Enabled { get; init; } = true;
    public int MinWords { get; init; } = 12;
    public bool VerifyChecksum { get; init; } = true;
}
