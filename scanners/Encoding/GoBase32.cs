namespace Pipelock.Scanners.Encoding;

/// <summary>RFC 4648 base32 (StdEncoding) with Go's strictness, padded or unpadded. SKELETON: to be completed.</summary>
public static class GoBase32
{
    public static bool TryDecode(ReadOnlySpan<char> input, bool padded, out byte[] bytes)
    {
        bytes = [];
        return false;
    }
}
