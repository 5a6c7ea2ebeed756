namespace Pipelock.Scanners.Encoding;

/// <summary>
/// Hex decoding as Pipelock does it: plain even-length hex, or delimited hex after stripping \x, \X, 0x, 0X prefixes
/// and ':', ' ', '-', ',' delimiters. SKELETON: to be completed.
/// </summary>
public static class GoHex
{
    public static bool TryDecode(ReadOnlySpan<char> input, out byte[] bytes)
    {
        bytes = [];
        return false;
    }

    public static bool TryDecodeDelimited(ReadOnlySpan<char> input, out byte[] bytes)
    {
        bytes = [];
        return false;
    }
}
