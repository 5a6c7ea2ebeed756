using System.Numerics;
using System.Security.Cryptography;

namespace Pipelock.Scanners.Dlp;

/// <summary>Bitcoin Base58 / Base58Check (used by the WIF validator and by tests that build WIF keys).</summary>
public static class Base58
{
    public const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Decodes and verifies the 4-byte double-SHA-256 checksum; returns the payload without it.</summary>
    public static bool TryDecodeCheck(ReadOnlySpan<char> s, out byte[] payload)
    {
        payload = [];
        if (s.Length is 0 or > 128) return false;
        BigInteger v = BigInteger.Zero;
        foreach (char c in s)
        {
            int i = Alphabet.IndexOf(c);
            if (i < 0) return false;
            v = v * 58 + i;
        }
        int zeros = 0;
        while (zeros < s.Length && s[zeros] == '1') zeros++;
        var body = v.IsZero ? [] : v.ToByteArray(isUnsigned: true, isBigEndian: true);
        var full = new byte[zeros + body.Length];
        body.CopyTo(full, zeros);
        if (full.Length < 5) return false;
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(full.AsSpan(0, full.Length - 4), h);
        SHA256.HashData(h, h);
        if (!h[..4].SequenceEqual(full.AsSpan(full.Length - 4))) return false;
        payload = full[..^4];
        return true;
    }

    public static string EncodeCheck(ReadOnlySpan<byte> payload)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(payload, h);
        SHA256.HashData(h, h);
        var full = new byte[payload.Length + 4];
        payload.CopyTo(full);
        h[..4].CopyTo(full.AsSpan(payload.Length));
        var v = new BigInteger(full, isUnsigned: true, isBigEndian: true);
        var sb = new System.Text.StringBuilder();
        while (v > 0) { sb.Insert(0, Alphabet[(int)(v % 58)]); v /= 58; }
        foreach (byte b in full) { if (b != 0) break; sb.Insert(0, '1'); }
        return sb.ToString();
    }
}
