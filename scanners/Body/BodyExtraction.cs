namespace Pipelock.Scanners.Body;

/// <summary>
/// Strings pulled out of a request body (keys, values, part headers...), or the reason it could not be parsed (which
/// fails closed). <see cref="Values"/> holds just the values in document order, for rejoining a secret split across
/// adjacent fields (keys in between would break it up).
/// </summary>
public sealed record BodyExtraction(IReadOnlyList<string> Texts, string? FailureReason)
{
    public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();

    public bool Failed => FailureReason is not null;

    public static BodyExtraction Fail(string reason) => new(Array.Empty<string>(), reason);
}
