namespace Pipelock.Scanners.Encoding;

/// <summary>
/// Base64 decoders with Go's strictness (encoding/base64): Std/URL require correct '=' padding, Raw* reject it,
/// only '\r' and '\n' are skipped. SKELETON: to be completed.
/// </summary>
public static class GoBase64
{
    public enum Variant { Std, Url, RawStd, RawUrl }

    public static bool TryDecode(ReadOnlySpan<char> input, Variant variant, out byte[] bytes)
    {
        bytes = [];
        return false;
    }
}
