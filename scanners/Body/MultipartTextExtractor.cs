
namespace Pipelock.Scanners.Body;

/// <summary>
/// multipart/* bodies: every part's headers ("Name: value", so custom part headers are covered), its filename, and
/// its body after undoing Content-Transfer-Encoding base64 / quoted-printable. A missing boundary, a missing
/// delimiter or terminator, or more than the part cap fails closed.
/// </summary>
internal static class MultipartTextExtractor
{
    public static bool Extract(ReadOnlySpan<byte> body, string? boundary, BodyOptions o, List<string> output, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) { error = "multipart body without a valid boundary"; return false; }
        var delim = System.Text.Encoding.ASCII.GetBytes("--" + boundary);
        int pos = FindDelimiter(body, delim, 0, atStart: true);
        if (pos < 0) { error = "malformed multipart: no boundary delimiter"; return false; }
        int parts = 0;
        while (true)
        {
            int after = pos + delim.Length;
            if (body[after..].StartsWith("--"u8)) return true;
            after = SkipLineEnd(body, after);
            if (after < 0) { error = "malformed multipart: bad delimiter line"; return false; }
            if (++parts > o.MaxMultipartParts) { error = $"multipart body has more than {o.MaxMultipartParts} parts"; return false; }
            int next = FindDelimiter(body, delim, after, atStart: false);
            if (next < 0) { error = "malformed multipart: missing closing boundary"; return false; }
            int contentEnd = next >= 2 && body[next - 2] == '\r' ? next - 2 : next - 1;
            if (contentEnd < after) contentEnd = after;
            Part(body[after..contentEnd], o, output);
            pos = next;
        }
    }

    /// <summary>Delimiters sit at the start of the body or right after a line break.</summary>
    private static int FindDelimiter(ReadOnlySpan<byte> body, byte[] delim, int from, bool atStart)
    {
        if (atStart && body[from..].StartsWith(delim)) return from;
        int i = from;
        while (i < body.Length)
        {
            int k = body[i..].IndexOf(delim);
            if (k < 0) return -1;
            int at = i + k;
            if (at > 0 && body[at - 1] == '\n') return at;
            i = at + 1;
        }
        return -1;
    }

    private static int SkipLineEnd(ReadOnlySpan<byte> body, int i)
    {
        while (i < body.Length && (body[i] == ' ' || body[i] == '\t')) i++;
        if (body[i..].StartsWith("\r\n"u8)) return i + 2;
        if (body[i..].StartsWith("\n"u8)) return i + 1;
        return -1;
    }

    private static void Part(ReadOnlySpan<byte> part, BodyOptions o, List<string> output)
    {
        int split = part.IndexOf("\r\n\r\n"u8);
        int sepLen = 4;
        if (split < 0) { split = part.IndexOf("\n\n"u8); sepLen = 2; }
        if (part.StartsWith("\r\n"u8) || part.StartsWith("\n"u8)) { split = 0; sepLen = part[0] == '\r' ? 2 : 1; }
        var headerText = split < 0 ? "" : System.Text.Encoding.UTF8.GetString(part[..split]);
        var content = split < 0 ? part : part[(split + sepLen)..];

        string? cte = null, contentType = null;
        foreach (var line in headerText.Split('\n'))
        {
            var l = line.TrimEnd('\r');
            if (l.Length == 0) continue;
            output.Add(l);
            int colon = l.IndexOf(':');
            if (colon <= 0) continue;
            var name = l[..colon].Trim();
            var value = l[(colon + 1)..].Trim();
            if (name.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) cte = value.ToLowerInvariant();
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
            else if (name.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase)) Filename(value, output);
        }

        byte[]? decoded = cte switch
        {
            "base64" => TryBase64(content),
            "quoted-printable" => QuotedPrintable(content),
            _ => null,
        };
        if (decoded is null && cte == "base64") { output.Add(System.Text.Encoding.UTF8.GetString(content)); return; } // undecodable: scan as is
        ReadOnlySpan<byte> bytes = decoded is null ? content : decoded;
        output.Add(System.Text.Encoding.UTF8.GetString(bytes));
        // Structured parts (JSON metadata next to a file upload) are opened too; best effort, never fails the body.
        if (MediaType.Parse(contentType).IsJson || JsonTextExtractor.LooksLikeJson(bytes))
        {
            var tmp = new List<string>();
            if (JsonTextExtractor.Extract(bytes, o.MaxJsonDepth, o.MaxJsonNodes, tmp, out _) != JsonTextExtractor.Outcome.Invalid) output.AddRange(tmp);
        }
    }

    private static void Filename(string disposition, List<string> output)
    {
        var mt = MediaType.Parse(disposition);
        if (mt.Get("filename") is { Length: > 0 } f) output.Add(f);
        if (mt.Get("filename*") is { Length: > 0 } fx)
        {
            // RFC 5987: charset'lang'pct-encoded
            int q = fx.LastIndexOf('\'');
            var enc = q >= 0 ? fx[(q + 1)..] : fx;
            output.Add(Url.UrlCodec.TryUnescape(enc, plusIsSpace: false, out var d) ? d : enc);
        }
    }

    private static byte[]? TryBase64(ReadOnlySpan<byte> content)
    {
        var text = System.Text.Encoding.ASCII.GetString(content);
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { return null; }
    }

    private static byte[] QuotedPrintable(ReadOnlySpan<byte> s)
    {
        var output = new byte[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte c = s[i];
            if (c != '=') { output[n++] = c; continue; }
            if (i + 2 < s.Length && Url.UrlCodec.IsHex((char)s[i + 1]) && Url.UrlCodec.IsHex((char)s[i + 2]))
            {
                output[n++] = (byte)(Url.UrlCodec.FromHex((char)s[i + 1]) << 4 | Url.UrlCodec.FromHex((char)s[i + 2]));
                i += 2;
            }
            else if (s[(i + 1)..].StartsWith("\r\n"u8)) i += 2; // soft line break
            else if (s[(i + 1)..].StartsWith("\n"u8)) i += 1;
            else output[n++] = c;
        }
        return output[..n];
    }
}
