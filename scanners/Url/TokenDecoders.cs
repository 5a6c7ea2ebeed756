using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Pipelock's <c>decodeEncodings</c> for URL tokens: hex (plain or delimited), base64 Std/URL/RawStd/RawURL and base32 Std,
/// with Go's strictness (which variants "succeed" decides what is scanned).
/// </summary>
internal static class TokenDecoders
{
    /// <summary>Tokens shorter than this are not decoded: no credential fits in fewer encoded chars, and it keeps clean URLs cheap.</summary>
    public const int MinTokenLength = 8;

    /// <summary>Decoded payloads shorter than this cannot hold a credential worth reporting.</summary>
    private const int MinDecodedLength = 6;

    public static void Decode(ReadOnlySpan<char> token, List<(string Text, string Encoding)> output)
    {
        if (token.Length < MinTokenLength) return;
        if (GoHex.TryDecode(token, out var b) || GoHex.TryDecodeDelimited(token, out b)) Add(b, "hex", output);
        if (GoBase64.TryDecode(token, GoBase64.Variant.Std, out b)) Add(b, "base64", output);
        if (GoBase64.TryDecode(token, GoBase64.Variant.Url, out b)) Add(b, "base64", output);
        if (GoBase64.TryDecode(token, GoBase64.Variant.RawStd, out b)) Add(b, "base64", output);
        if (GoBase64.TryDecode(token, GoBase64.Variant.RawUrl, out b)) Add(b, "base64", output);
        if (GoBase32.TryDecode(token, padded: true, out b) || GoBase32.TryDecode(token, padded: false, out b)) Add(b, "base32", output);
    }

    private static void Add(byte[] bytes, string encoding, List<(string, string)> output)
    {
        if (bytes.Length < MinDecodedLength) return;
        var s = System.Text.Encoding.UTF8.GetString(bytes);
        foreach (var (t, e) in output) if (e == encoding && t == s) return;
        output.Add((s, encoding));
    }
}
