using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>Post-match checksums (Pipelock's <c>validate.go</c>): a regex hit only counts when its checksum is right.</summary>
public static class DlpValidators
{
    public static bool Validate(string? validator, ReadOnlySpan<char> match) => validator switch
    {
        null or "" => true,
        "luhn" => Luhn(match),
        "mod97" => Mod97(match),
        "aba" => Aba(match),
        "wif" => Wif(match),
        "atlassian-pat" => AtlassianPat(match),
        _ => true,
    };

    /// <summary>15-19 digits, a known issuer range with its allowed lengths, then Luhn mod 10.</summary>
    public static bool Luhn(ReadOnlySpan<char> s)
    {
        Span<byte> d = stackalloc byte[20];
        int n = 0;
        foreach (char c in s)
        {
            if (c is >= '0' and <= '9') { if (n == 20) return false; d[n++] = (byte)(c - '0'); }
        }
        if (n is < 15 or > 19) return false;
        if (!IssuerOk(d[..n])) return false;
        int sum = 0;
        bool dbl = false;
        for (int i = n - 1; i >= 0; i--)
        {
            int v = d[i];
            if (dbl) { v *= 2; if (v > 9) v -= 9; }
            sum += v;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    private static bool IssuerOk(ReadOnlySpan<byte> d)
    {
        int n = d.Length;
        int p2 = d[0] * 10 + d[1], p3 = p2 * 10 + d[2], p4 = p3 * 10 + d[3];
        if (d[0] == 4) return n is 16 or 19;                            // Visa
        if (p2 is >= 51 and <= 55) return n == 16;                      // Mastercard
        if (p4 is >= 2221 and <= 2720) return n == 16;                  // Mastercard 2-series
        if (p2 is 34 or 37) return n == 15;                             // Amex
        if (p4 is >= 3528 and <= 3589) return n is >= 16 and <= 19;     // JCB
        if (p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65) return n is 16 or 19; // Discover
        return false;
    }

    /// <summary>IBAN: strip spaces/dashes, uppercase, 15-34 chars, country length table, ISO 7064 mod 97 == 1.</summary>
    public static bool Mod97(ReadOnlySpan<char> s)
    {
        Span<char> b = stackalloc char[34];
        int n = 0;
        foreach (char c in s)
        {
            if (c is ' ' or '-') continue;
            if (n == 34) return false;
            b[n++] = char.ToUpperInvariant(c);
        }
        if (n < 15) return false;
        var iban = b[..n];
        if (!IbanLengths.TryGet(iban[..2], out int want) || want != n) return false;
        int rem = 0;
        for (int i = 0; i < n; i++)
        {
            char c = iban[(i + 4) % n];
            if (c is >= '0' and <= '9') rem = (rem * 10 + (c - '0')) % 97;
            else if (c is >= 'A' and <= 'Z') rem = (rem * 100 + (c - 'A' + 10)) % 97;
            else return false;
        }
        return rem == 1;
    }

    /// <summary>ABA routing number: 9 digits, Fed district prefix, weights 3-7-1.</summary>
    public static bool Aba(ReadOnlySpan<char> s)
    {
        Span<int> d = stackalloc int[9];
        int n = 0;
        foreach (char c in s)
        {
            if (c is >= '0' and <= '9') { if (n == 9) return false; d[n++] = c - '0'; }
        }
        if (n != 9) return false;
        int prefix = d[0] * 10 + d[1];
        if (!(prefix <= 12 || prefix is >= 21 and <= 32 || prefix is >= 61 and <= 72 || prefix == 80)) return false;
        int sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
        return sum % 10 == 0;
    }

    /// <summary>Bitcoin WIF: Base58Check (SHA-256d checksum), version 0x80, 32-byte key or 33 bytes ending 0x01.</summary>
    public static bool Wif(ReadOnlySpan<char> s)
    {
        if (!Base58.TryDecodeCheck(s, out var payload)) return false;
        if (payload.Length == 0 || payload[0] != 0x80) return false;
        return payload.Length == 33 || (payload.Length == 34 && payload[33] == 0x01);
    }

    /// <summary>
    /// Jira/Confluence/Bitbucket Data Center personal access token: 44 base64 characters that decode to a 12-digit
    /// token id, ':' and 20 random bytes. The decoded structure is the check: a random 44-character run has 12 leading
    /// ASCII digits and the colon with probability ~(10/256)^12.
    /// </summary>
    public static bool AtlassianPat(ReadOnlySpan<char> s)
    {
        if (s.Length != 44 || !GoBase64.TryDecode(s, GoBase64.Variant.RawStd, out var b) || b.Length != 33) return false;
        for (int i = 0; i < 12; i++) if (b[i] is < (byte)'0' or > (byte)'9') return false;
        return b[12] == (byte)':';
    }
}
