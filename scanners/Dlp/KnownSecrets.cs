using System.Buffers;
using System.Collections.Frozen;
using Pipelock.Scanners.Encoding;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Exact secrets the scanner knows (env-var values, secrets_file lines, canary tokens) matched by substring in raw
/// form and in every encoding Pipelock checks: base64 std/url padded and unpadded, hex (any case), hex with ':' ' '
/// '-' ',' delimiters or \x / 0x per byte, base32 padded and unpadded. All variants go into one
/// <see cref="SearchValues{T}"/> (Aho-Corasick/Teddy), so a scan is one pass however many secrets there are.
/// </summary>
internal sealed class KnownSecrets
{
    private readonly SearchValues<string>? _exact;
    private readonly SearchValues<string>? _hex;
    private readonly FrozenDictionary<string, (int Owner, string Encoding)> _exactOwner;
    private readonly FrozenDictionary<string, (int Owner, string Encoding)> _hexOwner;
    private readonly (string Scanner, string Rule, Severity Severity, string RawEncoding)[] _owners;

    public KnownSecrets(IEnumerable<(string Secret, string Scanner, string Rule, Severity Severity, string RawEncoding)> secrets)
    {
        var exact = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        var hex = new Dictionary<string, (int, string)>(StringComparer.OrdinalIgnoreCase);
        var owners = new List<(string, string, Severity, string)>();
        foreach (var (secret, scanner, rule, sev, rawEnc) in secrets)
        {
            if (string.IsNullOrEmpty(secret)) continue;
            int owner = owners.Count;
            owners.Add((scanner, rule, sev, rawEnc));
            var bytes = System.Text.Encoding.UTF8.GetBytes(secret);
            exact.TryAdd(secret, (owner, rawEnc));
            var b64 = Convert.ToBase64String(bytes);
            var url = b64.Replace('+', '-').Replace('/', '_');
            foreach (var v in new[] { b64, b64.TrimEnd('='), url, url.TrimEnd('=') }) exact.TryAdd(v, (owner, "base64"));
            var b32 = Base32(bytes);
            exact.TryAdd(b32, (owner, "base32"));
            exact.TryAdd(b32.TrimEnd('='), (owner, "base32"));
            var h = Convert.ToHexStringLower(bytes);
            hex.TryAdd(h, (owner, "hex"));
            foreach (var sep in new[] { ":", " ", "-", "," })
                hex.TryAdd(string.Join(sep, Pairs(h)), (owner, "hex"));
            hex.TryAdd(string.Concat(Pairs(h).Select(p => "\\x" + p)), (owner, "hex"));
            hex.TryAdd(string.Join(" ", Pairs(h).Select(p => "0x" + p)), (owner, "hex"));
            hex.TryAdd(string.Join(",", Pairs(h).Select(p => "0x" + p)), (owner, "hex"));
            hex.TryAdd(string.Concat(Pairs(h).Select(p => "0x" + p)), (owner, "hex"));
        }
        _owners = owners.ToArray();
        _exactOwner = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _hexOwner = hex.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exact = exact.Count > 0 ? SearchValues.Create(exact.Keys.ToArray(), StringComparison.Ordinal) : null;
        _hex = hex.Count > 0 ? SearchValues.Create(hex.Keys.ToArray(), StringComparison.OrdinalIgnoreCase) : null;
    }

    public bool IsEmpty => _owners.Length == 0;

    /// <summary>Every searched form (raw, base64/base32 variants, hex layouts) of every known secret.</summary>
    public IEnumerable<string> Needles => _exactOwner.Keys.Concat(_hexOwner.Keys);

    /// <summary>Appends a finding per (rule, encoding) found in <paramref name="text"/>. <paramref name="layer"/> overrides the encoding tag.</summary>
    public void Scan(string text, List<Finding> sink, string? layer)
    {
        if (_exact is not null) Find(text, _exact, _exactOwner, StringComparison.Ordinal, sink, layer);
        if (_hex is not null) Find(text, _hex, _hexOwner, StringComparison.OrdinalIgnoreCase, sink, layer);
    }

    private void Find(string text, SearchValues<string> sv, FrozenDictionary<string, (int Owner, string Encoding)> owners,
        StringComparison cmp, List<Finding> sink, string? layer)
    {
        var span = text.AsSpan();
        int pos = 0, hits = 0;
        while (pos < span.Length && hits < 16)
        {
            int i = span[pos..].IndexOfAny(sv);
            if (i < 0) return;
            pos += i;
            // SearchValues reports the position, not which needle: find the longest variant starting here.
            string? best = null;
            foreach (var key in owners.Keys)
                if ((best is null || key.Length > best.Length) && span[pos..].StartsWith(key, cmp)) best = key;
            if (best is not null)
            {
                hits++;
                var (owner, enc) = owners[best];
                var o = _owners[owner];
                sink.Add(new Finding(o.Scanner, o.Rule, o.Severity, ScanAction.Block, Redaction.Redact(best), layer is null ? pos : -1, layer ?? enc));
                pos += best.Length;
            }
            else pos++;
        }
    }

    private static IEnumerable<string> Pairs(string hex)
    {
        for (int i = 0; i + 1 < hex.Length; i += 2) yield return hex.Substring(i, 2);
    }

    internal static string Base32(ReadOnlySpan<byte> data)
    {
        const string A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new System.Text.StringBuilder((data.Length + 4) / 5 * 8);
        int buffer = 0, bits = 0;
        foreach (byte b in data)
        {
            buffer = buffer << 8 | b;
            bits += 8;
            while (bits >= 5) { sb.Append(A[buffer >> (bits - 5) & 31]); bits -= 5; }
        }
        if (bits > 0) sb.Append(A[buffer << (5 - bits) & 31]);
        while (sb.Length % 8 != 0) sb.Append('=');
        return sb.ToString();
    }
}
