using Pipelock.Scanners.Text;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Scanners.Policy;

public static partial class ShellDeobfuscator
{
    /// <summary>Most payloads recovered from one argument (all depths together).</summary>
    public const int MaxDecodedPayloads = 16;

    private const int MaxDecodeDepth = 2;
    private const int MaxDecodedChars = 64 * 1024;
    private const int MinBase64Chars = 12;

    private static readonly Regex Base64Run = Re2Regex.Compile(@"[A-Za-z0-9+/]{12,}={0,2}");
    private static readonly RuleRegex RevCommand = RuleRegex.BuiltIn(@"(?:^|[\s|;&(])rev(?:$|[\s|;&)])");

    /// <summary>
    /// Payloads a runtime decoder in the command would produce from a literal, decoded statically so the rules see
    /// them (Bashfuscator-style wrappers): a literal fed to <c>rev</c> reversed; a base64 literal (any
    /// <c>base64 -d</c> spelling) decoded when it yields text; a base64 gzip literal (<c>H4sI…</c>) decompressed.
    /// Case modifiers (<c>${x~~}</c>, <c>${x^^}</c>) are resolved by the main pipeline. Bounded in depth, count and size.
    /// </summary>
    public static IReadOnlyList<string> DecodeRuntimePayloads(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        var found = new List<string>();
        Collect(arg.Length > MaxInputChars ? arg[..MaxInputChars] : arg, found, 0);
        return found;
    }

    private static void Collect(string arg, List<string> found, int depth)
    {
        if (depth >= MaxDecodeDepth || found.Count >= MaxDecodedPayloads) return;
        var decoded = DecodeEscapes(arg);
        int start = found.Count;

        // A literal piped to or here-string fed into rev: reversing the whole resolved command puts the literal back
        // in reading order (the wrapper around it becomes noise). Quote pairing in such wrappers is too tangled to
        // cut the literal out reliably, and reversing the lot is just as bounded.
        var resolved = Resolve(decoded, new Limits());
        if (RevCommand.IsMatch(resolved) && resolved.Length <= MaxDecodedChars)
        {
            var rev = resolved.ToCharArray();
            Array.Reverse(rev);
            found.Add(new string(rev));
        }

        foreach (Match m in Base64Run.Matches(decoded))
        {
            if (found.Count >= MaxDecodedPayloads) break;
            if (m.Length > MaxDecodedChars * 2) continue;
            var text = TryDecodeBase64Text(m.Value);
            if (text is not null) found.Add(text);
        }

        int end = found.Count;
        for (int i = start; i < end; i++) Collect(found[i], found, depth + 1);
    }

    /// <summary>Base64 (padded or not) that decodes to mostly printable text, or to gzip that decompresses to it.</summary>
    internal static string? TryDecodeBase64Text(string run)
    {
        if (run.Length < MinBase64Chars) return null;
        var trimmed = run.TrimEnd('=');
        int rem = trimmed.Length % 4;
        if (rem == 1) return null;
        var padded = rem == 0 ? trimmed : trimmed + new string('=', 4 - rem);
        var bytes = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, bytes, out int n)) return null;
        var data = bytes.AsSpan(0, n);
        if (n > 2 && data[0] == 0x1F && data[1] == 0x8B) return Gunzip(bytes, n);
        return PrintableText(data);
    }

    private static string? Gunzip(byte[] bytes, int n)
    {
        try
        {
            using var input = new MemoryStream(bytes, 0, n);
            using var gz = new GZipStream(input, CompressionMode.Decompress);
            var buf = new byte[MaxDecodedChars];
            int total = 0, read;
            while (total < buf.Length && (read = gz.Read(buf, total, buf.Length - total)) > 0) total += read;
            return PrintableText(buf.AsSpan(0, total));
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static string? PrintableText(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4) return null;
        int printable = 0;
        foreach (var b in data)
        {
            if (b == 0) return null;
            if (b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n' or (byte)'\r') printable++;
        }
        if (printable * 10 < data.Length * 9) return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
