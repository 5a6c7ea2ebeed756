using Pipelock.Scanners.Url;

namespace Pipelock.Scanners.Body;

/// <summary>
/// application/x-www-form-urlencoded keys and values, with Go ParseQuery's strictness: a malformed %-escape or a ';'
/// separator is an error, and an unparsable body fails closed (it could hide data from the scanner).
/// </summary>
internal static class FormTextExtractor
{
    public static bool Extract(ReadOnlySpan<byte> body, int maxPairs, List<string> output, out string? error, List<string>? values = null)
    {
        error = null;
        var text = System.Text.Encoding.UTF8.GetString(body);
        int pairs = 0;
        foreach (var r in text.AsSpan().Split('&'))
        {
            var pair = text.AsSpan()[r];
            if (pair.IsEmpty) continue;
            if (pair.Contains(';')) { error = "invalid urlencoded body: semicolon separator"; return false; }
            if (++pairs > maxPairs) { output.Add(text); return true; }
            int eq = pair.IndexOf('=');
            var (ks, kl) = (r.Start.Value, eq < 0 ? pair.Length : eq);
            if (!UrlCodec.TryUnescape(text, ks, kl, plusIsSpace: true, out var key)) { error = "invalid urlencoded body: bad escape"; return false; }
            output.Add(key);
            if (eq < 0) continue;
            if (!UrlCodec.TryUnescape(text, ks + eq + 1, pair.Length - eq - 1, plusIsSpace: true, out var value)) { error = "invalid urlencoded body: bad escape"; return false; }
            output.Add(value);
            values?.Add(value);
        }
        return true;
    }
}
