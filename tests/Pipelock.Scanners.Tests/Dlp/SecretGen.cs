using System.Numerics;
using System.Security.Cryptography;
using Pipelock.Scanners.Dlp;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// Builds format-valid secrets at test time from random characters of the right alphabet (seeded, so failures
/// reproduce). No realistic credential literal is committed; checksummed formats (cards, IBAN, WIF, BIP-39) are
/// computed here.
/// </summary>
internal static class SecretGen
{
    public const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Lower = "abcdefghijklmnopqrstuvwxyz";
    public const string Digits = "0123456789";
    public const string Alnum = Upper + Lower + Digits;
    public const string HexLower = "0123456789abcdef";
    public const string LowerAlnum = Lower + Digits;
    public const string UpperAlnum = Upper + Digits;
    public const string Base58Chars = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Random string; retried until it contains a digit, a lower and an upper letter when the alphabet has them.</summary>
    public static string R(Random rng, string alphabet, int n)
    {
        while (true)
        {
            var c = new char[n];
            for (int i = 0; i < n; i++) c[i] = alphabet[rng.Next(alphabet.Length)];
            var s = new string(c);
            bool ok = (!alphabet.Any(char.IsAsciiDigit) || s.Any(char.IsAsciiDigit) || n < 8)
                && (!alphabet.Any(char.IsAsciiLetterLower) || s.Any(char.IsAsciiLetterLower) || n < 8)
                && (!alphabet.Any(char.IsAsciiLetterUpper) || s.Any(char.IsAsciiLetterUpper) || n < 8);
            if (ok) return s;
        }
    }

    /// <summary>A card number with the given issuer prefix and length whose Luhn check digit is correct.</summary>
    public static string Card(Random rng, string prefix, int length)
    {
        var digits = prefix + R(rng, Digits, length - prefix.Length - 1);
        int sum = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return digits + (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>An IBAN for <paramref name="country"/> of total <paramref name="length"/> with correct mod-97 check digits.</summary>
    public static string Iban(Random rng, string country, int length)
    {
        var bban = R(rng, Digits, length - 4);
        var rearranged = bban + country + "00";
        var numeric = string.Concat(rearranged.Select(c => char.IsAsciiLetter(c) ? (c - 'A' + 10).ToString() : c.ToString()));
        int check = 98 - (int)(BigInteger.Parse(numeric) % 97);
        return country + check.ToString("00") + bban;
    }

    /// <summary>A Bitcoin WIF (compressed or not) for a random 32-byte key, Base58Check-encoded.</summary>
    public static string Wif(Random rng, bool compressed)
    {
        var payload = new byte[compressed ? 34 : 33];
        payload[0] = 0x80;
        var key = new byte[32];
        rng.NextBytes(key);
        key.CopyTo(payload, 1);
        if (compressed) payload[33] = 0x01;
        return Pipelock.Scanners.Dlp.Base58.EncodeCheck(payload);
    }

    /// <summary>A BIP-39 phrase of <paramref name="words"/> words for random entropy, checksum computed per the spec.</summary>
    public static string Bip39(Random rng, int words)
    {
        int entBits = words * 11 * 32 / 33;
        var entropy = new byte[entBits / 8];
        rng.NextBytes(entropy);
        var hash = SHA256.HashData(entropy);
        int csBits = entBits / 32;
        var bits = new List<bool>();
        foreach (var b in entropy) for (int i = 7; i >= 0; i--) bits.Add((b >> i & 1) == 1);
        for (int i = 0; i < csBits; i++) bits.Add((hash[i / 8] >> (7 - i % 8) & 1) == 1);
        var result = new List<string>();
        for (int w = 0; w < words; w++)
        {
            int idx = 0;
            for (int i = 0; i < 11; i++) idx = idx << 1 | (bits[w * 11 + i] ? 1 : 0);
            result.Add(SeedPhraseDetector.Words[idx]);
        }
        return string.Join(' ', result);
    }

    public static string Base32(byte[] data)
    {
        const string A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new System.Text.StringBuilder();
        int buffer = 0, n = 0;
        foreach (var b in data)
        {
            buffer = buffer << 8 | b; n += 8;
            while (n >= 5) { sb.Append(A[buffer >> (n - 5) & 31]); n -= 5; }
        }
        if (n > 0) sb.Append(A[buffer << (5 - n) & 31]);
        while (sb.Length % 8 != 0) sb.Append('=');
        return sb.ToString();
    }

    public static DlpScanner Scanner(DlpOptions? options = null, IReadOnlyDictionary<string, string>? env = null) =>
        new(options ?? new DlpOptions(), new DictionaryEnvironmentSource(env ?? new Dictionary<string, string>()));
}
