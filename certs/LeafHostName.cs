using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pipelock.Certs;

/// <summary>
/// A host name or IP literal in the one form a leaf is minted and cached under. It exists because SNI, CONNECT
/// authorities and original-destination IPs arrive in many spellings (case, IDN, brackets, trailing dot) that must
/// map to one certificate, and because anything odd must be refused before it reaches a certificate subject.
/// </summary>
internal readonly record struct LeafHostName(string Name, IPAddress? Address)
{
    private const int MaxDnsLength = 253;
    private const int MaxLabelLength = 63;

    // Stateless after construction; GetAscii is safe to call concurrently.
    private static readonly IdnMapping Idn = new();

    /// <summary>Normalises <paramref name="hostOrIp"/>; throws <see cref="ArgumentException"/> for names that cannot be minted.</summary>
    public static LeafHostName Parse(string hostOrIp)
    {
        ArgumentNullException.ThrowIfNull(hostOrIp);
        ReadOnlySpan<char> s = hostOrIp.AsSpan();
        if (s.IsEmpty)
            throw new ArgumentException("Host name is empty.", nameof(hostOrIp));

        if (s.Length > 2 && s[0] == '[' && s[^1] == ']')
            s = s[1..^1];

        // A colon can only be an IPv6 literal: ports are the caller's to strip, and DNS names never contain one.
        if (s.Contains(':'))
        {
            // Scope ids (fe80::1%eth0) name a local interface, not a server; there is nothing sensible to put in a SAN.
            if (!s.Contains('%') && IPAddress.TryParse(s, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
                return new LeafHostName(v6.ToString(), v6);
            throw new ArgumentException($"'{Printable(hostOrIp)}' is not a valid IPv6 literal.", nameof(hostOrIp));
        }

        // Only the strict decimal dotted quad is an IPv4 literal. IPAddress.TryParse also takes "1", "1.2", "0x7f.1"
        // and octal "010.0.0.1" (inet_aton forms); reading those as IPs would put surprising addresses in a SAN.
        if (IsDottedQuad(s))
        {
            Span<byte> bytes = stackalloc byte[4];
            if (!TryParseDecimalQuad(s, bytes))
                throw new ArgumentException($"'{Printable(hostOrIp)}' is not a valid IPv4 literal (octets 0-255, no leading zeros).", nameof(hostOrIp));
            var v4 = new IPAddress(bytes);
            return new LeafHostName(v4.ToString(), v4);
        }

        return new LeafHostName(NormalizeDns(hostOrIp, s), null);
    }

    private static string NormalizeDns(string original, ReadOnlySpan<char> s)
    {
        if (s.Length > 1 && s[^1] == '.')
            s = s[..^1]; // The root dot is not part of a certificate name.

        string ascii;
        if (System.Text.Ascii.IsValid(s))
        {
            ascii = s.Length == original.Length ? original : s.ToString();
        }
        else
        {
            // The app runs with InvariantGlobalization, where IdnMapping is plain punycode without UTS#46 mapping:
            // it neither lower-cases nor drops invisible characters. Lower-case first so "BÜCHER" and "bücher" share one
            // leaf, and refuse invisible/format/space characters outright (no real client validates such a name).
            string lowered = s.ToString().ToLowerInvariant();
            foreach (char c in lowered)
            {
                if (char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.SpaceSeparator
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                    throw new ArgumentException($"Host name '{Printable(original)}' contains an invisible or unassigned character (U+{(int)c:X4}).", "hostOrIp");
            }
            try
            {
                ascii = Idn.GetAscii(lowered);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"'{Printable(original)}' is not a valid internationalised host name: {e.Message}", nameof(original), e);
            }
        }

        ascii = ascii.ToLowerInvariant(); // Returns the same instance when already lower case.
        if (ascii.Length is 0 or > MaxDnsLength)
            throw new ArgumentException($"Host name '{Printable(original)}' must be 1 to {MaxDnsLength} characters (it is {ascii.Length}).", "hostOrIp");

        int labelStart = 0;
        for (int i = 0; i <= ascii.Length; i++)
        {
            if (i == ascii.Length || ascii[i] == '.')
            {
                int len = i - labelStart;
                if (len is 0 or > MaxLabelLength)
                    throw new ArgumentException($"Host name '{Printable(original)}' has an empty label or one longer than {MaxLabelLength}.", "hostOrIp");
                labelStart = i + 1;
                continue;
            }
            char c = ascii[i];
            if (c == '*')
                throw new ArgumentException($"Host name '{Printable(original)}' is a wildcard; leaves are minted for concrete names only.", "hostOrIp");
            // '_' is not a hostname character, but real SNI carries it (_dmarc-style service names, some CDNs).
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
                throw new ArgumentException($"Host name '{Printable(original)}' contains '{Printable(c.ToString())}', which is not allowed in a certificate name.", "hostOrIp");
        }
        return ascii;
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> s)
    {
        int parts = 0, digits = 0;
        foreach (char c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                if (++digits > 3)
                    return false;
            }
            else if (c == '.' && digits > 0)
            {
                parts++;
                digits = 0;
            }
            else
            {
                return false;
            }
        }
        return parts == 3 && digits > 0;
    }

    private static bool TryParseDecimalQuad(ReadOnlySpan<char> s, Span<byte> bytes)
    {
        int i = 0;
        foreach (Range r in s.Split('.'))
        {
            ReadOnlySpan<char> part = s[r];
            if (part.Length > 1 && part[0] == '0')
                return false;
            int v = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (v > 255)
                return false;
            bytes[i++] = (byte)v;
        }
        return i == 4;
    }

    // Names come from the network; keep control characters out of exception messages (and so out of logs).
    private static string Printable(string s)
    {
        const int Max = 80;
        var span = s.AsSpan(0, Math.Min(s.Length, Max));
        if (!span.ContainsAnyInRange('\0', '\x1f') && !span.Contains('\x7f') && s.Length <= Max)
            return s;
        var chars = span.ToArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i]))
                chars[i] = '?';
        return s.Length > Max ? new string(chars) + "…" : new string(chars);
    }
}
