using System.Text;
using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Finds encoded candidates inside a text and decodes them with Go's strictness: URL escapes (whole text), base64
/// (std/url, padded/raw), hex (plain and delimited) and base32 runs of at least <see cref="MinRun"/> characters.
/// Only candidate runs are decoded, never the whole text blindly, and everything is capped (runs per text,
/// decoded bytes per scan) so a huge blob or pathological input stays bounded. Binary results are dropped.
/// </summary>
internal sealed class LayerDecoder
{
    public const int MinRun = 16;
    private const int MaxRunsPerText = 64;
    private const int MaxRunChars = 64 * 1024;

    private int _budget;

    public LayerDecoder(int budgetChars) => _budget = budgetChars;

    public bool Exhausted => _budget <= 0;

    public void Decode(string text, List<(string Text, string Tag)> output)
    {
        if (_budget <= 0) return;
        if (text.AsSpan().IndexOfAny('%', '+') >= 0 && text.Length <= _budget)
        {
            var u = BoundedIterativeDecode(text);
            if (!ReferenceEquals(u, text) && u != text) Add(output, u, "url");
        }
        int runs = 0;
        Base64Runs(text, output, ref runs);
        HexRuns(text, output, ref runs);
        Base32Runs(text, output, ref runs);
    }

    /// <summary>IterativeDecode with a work cap: 500 rounds over a 10 MB "%2525…" would be quadratic.</summary>
    private string BoundedIterativeDecode(string s)
    {
        long work = 0;
        for (int i = 0; i < UrlDecoding.MaxRounds && work < 16_000_000; i++)
        {
            work += s.Length;
            if (!UrlDecoding.QueryUnescape(s, out var d) || d == s) return s;
            s = d;
        }
        return s;
    }

    private void Base64Runs(string text, List<(string, string)> output, ref int runs)
    {
        var s = text.AsSpan();
        int i = 0;
        while (i < s.Length && runs < MaxRunsPerText && _budget > 0)
        {
            if (!IsB64(s[i])) { i++; continue; }
            int start = i;
            while (i < s.Length && IsB64(s[i])) i++;
            int end = i;
            while (end < s.Length && end - i < 2 && s[end] == '=') end++;
            int len = end - start;
            if (len < MinRun || len > MaxRunChars) { i = end; continue; }
            runs++;
            var run = s[start..end];
            foreach (var v in Variants)
            {
                if (GoBase64.TryDecode(run, v, out var bytes) && TryText(bytes, out var t)) { Add(output, t, "base64"); break; }
            }
            i = end;
        }
    }

    private static readonly GoBase64.Variant[] Variants = [GoBase64.Variant.Std, GoBase64.Variant.Url, GoBase64.Variant.RawStd, GoBase64.Variant.RawUrl];

    private void HexRuns(string text, List<(string, string)> output, ref int runs)
    {
        var s = text.AsSpan();
        int i = 0;
        while (i < s.Length && runs < MaxRunsPerText && _budget > 0)
        {
            if (!IsHexish(s[i])) { i++; continue; }
            int start = i;
            int digits = 0;
            while (i < s.Length && IsHexish(s[i])) { if (GoHex.IsHexDigit(s[i])) digits++; i++; }
            // Trim delimiters at the ends; require enough hex digits to be worth it.
            int a = start, b = i;
            while (a < b && !GoHex.IsHexDigit(s[a]) && s[a] != '\\') a++;
            while (b > a && !GoHex.IsHexDigit(s[b - 1])) b--;
            if (digits < MinRun || b - a > MaxRunChars) continue;
            runs++;
            // A run may start with a hex-looking word ("hex 736b…", "face 73:6b…"): drop leading words until it decodes.
            var run = s[a..b];
            for (int attempt = 0; attempt < 3 && run.Length >= MinRun; attempt++)
            {
                if ((GoHex.TryDecode(run, out var bytes) || GoHex.TryDecodeDelimited(run, out bytes)) && TryText(bytes, out var t))
                {
                    Add(output, t, "hex");
                    break;
                }
                int sp = run.IndexOf(' ');
                if (sp < 0) break;
                run = run[(sp + 1)..];
            }
        }
    }

    private void Base32Runs(string text, List<(string, string)> output, ref int runs)
    {
        var s = text.AsSpan();
        int i = 0;
        while (i < s.Length && runs < MaxRunsPerText && _budget > 0)
        {
            if (!IsB32(s[i])) { i++; continue; }
            int start = i;
            while (i < s.Length && IsB32(s[i])) i++;
            int end = i;
            while (end < s.Length && end - i < 6 && s[end] == '=') end++;
            int len = end - start;
            // Base32 runs are uppercase letters and 2-7; a run without digits is usually an uppercase word.
            if (len < MinRun || len > MaxRunChars || s[start..i].IndexOfAnyInRange('2', '7') < 0) { i = end; continue; }
            runs++;
            var run = s[start..end];
            if ((GoBase32.TryDecode(run, true, out var bytes) || GoBase32.TryDecode(run, false, out bytes)) && TryText(bytes, out var t))
                Add(output, t, "base32");
            i = end;
        }
    }

    private void Add(List<(string, string)> output, string decoded, string tag)
    {
        _budget -= decoded.Length;
        output.Add((decoded, tag));
    }

    /// <summary>Decoded bytes that are mostly printable UTF-8 text; binary cannot hold a textual secret worth matching.</summary>
    private static bool TryText(byte[] bytes, out string text)
    {
        text = "";
        if (bytes.Length < 4) return false;
        text = System.Text.Encoding.UTF8.GetString(bytes);
        int printable = 0;
        foreach (char c in text)
            if (c >= 0x20 && c != '\uFFFD' && c != 0x7f || c is '\n' or '\r' or '\t') printable++;
        return printable >= text.Length * 0.85;
    }

    private static bool IsB64(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';
    private static bool IsB32(char c) => c is >= 'A' and <= 'Z' or >= '2' and <= '7';
    private static bool IsHexish(char c) => GoHex.IsHexDigit(c) || c is ':' or ' ' or '-' or ',' or '\\' or 'x' or 'X';
}
