using System.Globalization;

namespace Pipelock.Scanners.Url;

/// <summary>
/// Span-based port of Go's <c>url.Parse</c> acceptance rules (System.Uri is slower and accepts/rejects different
/// inputs). What Go rejects we reject: ASCII control bytes, a leading ':' scheme, malformed %-escapes in
/// path/host/userinfo/fragment, bad userinfo characters, %-encoded ASCII in the host, characters RFC 3986 does not
/// allow in a reg-name, non-numeric ports, unbalanced IPv6 brackets. The raw query is not validated (Go neither).
/// </summary>
internal static class UrlParser
{
    public static bool TryParse(string raw, out ParsedUrl url, out string error)
    {
        url = default;
        error = "";
        int hash = raw.IndexOf('#');
        int end = hash < 0 ? raw.Length : hash;
        var u = raw.AsSpan(0, end);
        if (u.ContainsAnyInRange('\0', '\x1f') || u.Contains('\x7f')) { error = "invalid control character in URL"; return false; }
        if (hash >= 0 && !UrlCodec.EscapesValid(raw.AsSpan(hash + 1))) { error = "invalid URL escape in fragment"; return false; }

        // Scheme (Go getScheme).
        string scheme = "";
        int pos = 0;
        for (int i = 0; i < u.Length; i++)
        {
            char c = u[i];
            if (char.IsAsciiLetter(c)) continue;
            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.') { if (i == 0) break; continue; }
            if (c == ':')
            {
                if (i == 0) { error = "missing protocol scheme"; return false; }
                scheme = SchemeString(u[..i]);
                pos = i + 1;
            }
            break;
        }

        // Query: Go cuts at the first '?'.
        int q = u[pos..].IndexOf('?');
        int restEnd = q < 0 ? end : pos + q;
        int queryStart = q < 0 ? -1 : restEnd + 1;
        var rest = raw.AsSpan(pos, restEnd - pos);

        string host = "", hostOriginal = "";
        int port = -1;
        int pathStart = pos;
        if (!rest.StartsWith('/'))
        {
            if (scheme.Length == 0)
            {
                int colon = rest.IndexOf(':'), slash = rest.IndexOf('/');
                if (colon >= 0 && (slash < 0 || colon < slash)) { error = "first path segment in URL cannot contain colon"; return false; }
            }
            else
            {
                // Opaque URL ("http:foo"): no authority, no path we can use.
                url = Make(raw, scheme, "", "", -1, pos, restEnd - pos, queryStart, end);
                return true;
            }
        }
        else if (rest.StartsWith("//") && (scheme.Length > 0 || !rest.StartsWith("///")))
        {
            int authStart = pos + 2;
            int slash = raw.AsSpan(authStart, restEnd - authStart).IndexOf('/');
            int authEnd = slash < 0 ? restEnd : authStart + slash;
            if (!TryAuthority(raw, authStart, authEnd, out host, out hostOriginal, out port, out error)) return false;
            pathStart = authEnd;
        }
        if (!UrlCodec.EscapesValid(raw.AsSpan(pathStart, restEnd - pathStart))) { error = "invalid URL escape in path"; return false; }
        url = Make(raw, scheme, host, hostOriginal, port, pathStart, restEnd - pathStart, queryStart, end);
        return true;
    }

    private static ParsedUrl Make(string raw, string scheme, string host, string hostOriginal, int port, int pathStart, int pathLength, int queryStart, int end)
    {
        System.Net.IPAddress? ip = null;
        if (host.Length > 0 && IpLiteral.TryParse(host, out var addr))
        {
            ip = addr;
            host = addr.ToString();
        }
        return new ParsedUrl
        {
            Raw = raw, Scheme = scheme, Host = host, HostOriginal = hostOriginal, Ip = ip, Port = port,
            PathStart = pathStart, PathLength = pathLength,
            QueryStart = queryStart, QueryLength = queryStart < 0 ? 0 : end - queryStart,
            LengthWithoutFragment = end,
        };
    }

    private static string SchemeString(ReadOnlySpan<char> s)
    {
        if (s.Equals("https", StringComparison.OrdinalIgnoreCase)) return "https";
        if (s.Equals("http", StringComparison.OrdinalIgnoreCase)) return "http";
        return s.ToString().ToLowerInvariant();
    }

    private static bool TryAuthority(string raw, int start, int end, out string host, out string hostOriginal, out int port, out string error)
    {
        host = hostOriginal = "";
        port = -1;
        error = "";
        var auth = raw.AsSpan(start, end - start);
        int at = auth.LastIndexOf('@');
        if (at >= 0)
        {
            foreach (var c in auth[..at])
                if (!(char.IsAsciiLetterOrDigit(c) || "-._:~!$&'()*+,;=%@".Contains(c))) { error = "net/url: invalid userinfo"; return false; }
            if (!UrlCodec.EscapesValid(auth[..at])) { error = "invalid URL escape in userinfo"; return false; }
            auth = auth[(at + 1)..];
        }
        ReadOnlySpan<char> name;
        ReadOnlySpan<char> portPart;
        bool bracketed = auth.StartsWith('[');
        if (bracketed)
        {
            int close = auth.LastIndexOf(']');
            if (close < 0) { error = "missing ']' in host"; return false; }
            portPart = auth[(close + 1)..];
            name = auth[1..close];
            if (!name.Contains(':')) { error = "invalid IPv6 host"; return false; }
        }
        else
        {
            int colon = auth.LastIndexOf(':');
            portPart = colon < 0 ? default : auth[colon..];
            name = colon < 0 ? auth : auth[..colon];
        }
        if (!portPart.IsEmpty)
        {
            if (portPart[0] != ':') { error = "invalid port after host"; return false; }
            var digits = portPart[1..];
            foreach (var c in digits) if (!char.IsAsciiDigit(c)) { error = $"invalid port \"{portPart.ToString()}\" after host"; return false; }
            if (digits.Length > 0)
                port = digits.Length > 5 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535 ? 65536 : p;
        }
        if (!TryHost(name, bracketed, out hostOriginal, out error)) return false;
        host = Canonical(hostOriginal);
        return true;
    }

    private static bool TryHost(ReadOnlySpan<char> name, bool bracketed, out string host, out string error)
    {
        host = "";
        error = "";
        int zone = bracketed ? name.IndexOf("%25", StringComparison.Ordinal) : -1;
        var main = zone < 0 ? name : name[..zone];
        bool hasEscape = false;
        for (int i = 0; i < main.Length; i++)
        {
            char c = main[i];
            if (c == '%')
            {
                if (i + 2 >= main.Length || !UrlCodec.IsHex(main[i + 1]) || !UrlCodec.IsHex(main[i + 2])) { error = "invalid URL escape in host"; return false; }
                // Go: hosts cannot %-encode ASCII bytes (except "%25").
                if (UrlCodec.FromHex(main[i + 1]) < 8) { error = "invalid URL escape in host"; return false; }
                hasEscape = true;
                i += 2;
                continue;
            }
            if (c >= 0x80 || char.IsAsciiLetterOrDigit(c) || "-_.~!$&'()*+,;=:[]<>\"".Contains(c)) continue;
            error = $"invalid character \"{c}\" in host name";
            return false;
        }
        if (zone >= 0 && !UrlCodec.EscapesValid(name[zone..])) { error = "invalid URL escape in zone"; return false; }
        var text = zone < 0 ? name : name[..zone];
        if (hasEscape) { UrlCodec.TryUnescape(text.ToString(), false, out host); }
        else host = text.ToString();
        return true;
    }

    /// <summary>
    /// Lower-case, trailing dots removed (blocklist tricks like "PasteBin.com." must not dodge matching). Non-ASCII hosts
    /// become the A-label (punycode) form DNS will actually be asked for, after folding fullwidth forms to ASCII the way
    /// UTS 46 does (the runtime's invariant-mode IDNA does not), so "ｐａｓｔｅｂｉｎ.com" is pastebin.com.
    /// </summary>
    private static string Canonical(string host)
    {
        bool ascii = System.Text.Ascii.IsValid(host);
        var span = host.AsSpan().TrimEnd('.');
        if (ascii)
        {
            bool lower = !span.ContainsAnyInRange('A', 'Z');
            if (lower) return span.Length == host.Length ? host : span.ToString();
            return span.ToString().ToLowerInvariant();
        }
        var folded = string.Create(host.Length, host, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = src[i];
                dst[i] = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c is '\u3002' or '\uFF0E' or '\uFF61' ? '.' : c;
            }
        }).TrimEnd('.').ToLowerInvariant();
        if (System.Text.Ascii.IsValid(folded)) return folded;
        try { return new System.Globalization.IdnMapping().GetAscii(folded).ToLowerInvariant(); }
        catch (ArgumentException) { return folded; }
    }
}
