using System.Collections.Frozen;
using System.Security.Cryptography;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// BIP-39 seed phrases (Pipelock's <c>seedprotect</c>): tokenise on <c>[-\s,|;:]+</c>, lowercase, slide windows of
/// 12/15/18/21/24 words that are all in the English list, and (by default) verify the BIP-39 SHA-256 checksum,
/// which removes almost every false positive from ordinary prose made of list words.
/// </summary>
public sealed class SeedPhraseDetector
{
    public const string Rule = "BIP-39 Seed Phrase";
    private static readonly int[] Lengths = [12, 15, 18, 21, 24];
    private const int MaxTokens = 100_000;

    /// <summary>The 2048 English words, in list order (index = 11-bit value).</summary>
    public static IReadOnlyList<string> Words { get; } = LoadWords();
    /// <summary>Words packed into a ulong (≤ 8 lowercase ASCII letters): lookups without string hashing.</summary>
    private static readonly FrozenDictionary<ulong, int> Index =
        Words.Select((w, i) => (Pack(w), i)).ToFrozenDictionary(t => t.Item1, t => t.i);

    private static ulong Pack(ReadOnlySpan<char> w)
    {
        ulong v = 0;
        foreach (char c in w)
        {
            int l = c | 0x20;
            if (l is < 'a' or > 'z') return 0;
            v = v << 8 | (uint)l;
        }
        return v;
    }

    /// <summary>True when <paramref name="packed"/> (lowercase letters, 8 bits each, first letter highest) is a list word.</summary>
    /// <summary>True when <paramref name="word"/> (any case) is one of the 2048 words.</summary>
    internal static bool IsListWord(ReadOnlySpan<char> word) => word.Length is >= 3 and <= 8 && IsListWord(Pack(word));

    internal static bool IsListWord(ulong packed)
    {
        // Open addressing over 4096 slots (half full): a multiply and one or two loads, for the clean-text gate's hot loop.
        var table = ListWordTable;
        for (int i = (int)(packed * 0x9E3779B97F4A7C15UL >> 52); ; i = (i + 1) & 4095)
        {
            ulong v = table[i];
            if (v == packed) return packed != 0;
            if (v == 0) return false;
        }
    }

    private static readonly ulong[] ListWordTable = BuildListWordTable();

    private static ulong[] BuildListWordTable()
    {
        var t = new ulong[4096];
        foreach (var w in Words)
        {
            ulong p = Pack(w);
            int i = (int)(p * 0x9E3779B97F4A7C15UL >> 52);
            while (t[i] != 0) i = (i + 1) & 4095;
            t[i] = p;
        }
        return t;
    }

    /// <summary>Shortest phrase this detector reports (12..24).</summary>
    internal int MinWords => _minWords;

    private readonly int _minWords;
    private readonly bool _verifyChecksum;

    public SeedPhraseDetector(int minWords = 12, bool verifyChecksum = true)
    {
        _minWords = Math.Clamp(minWords, 12, 24);
        _verifyChecksum = verifyChecksum;
    }

    private static string[] LoadWords()
    {
        using var s = typeof(SeedPhraseDetector).Assembly.GetManifestResourceStream("Pipelock.Scanners.Dlp.bip39-english.txt")
            ?? throw new InvalidOperationException("BIP-39 word list resource missing");
        using var r = new StreamReader(s);
        var words = r.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length != 2048) throw new InvalidOperationException($"BIP-39 word list has {words.Length} words, expected 2048");
        return words;
    }

    /// <summary>Finds the first valid phrase; null when none.</summary>
    public Finding? Detect(ReadOnlySpan<char> text, string? encoding = null)
    {
        // Collect word indexes of consecutive list-word tokens; any non-list token breaks the run.
        var run = new List<int>();
        int pos = 0, tokens = 0;
        while (pos < text.Length && tokens < MaxTokens)
        {
            while (pos < text.Length && IsSep(text[pos])) pos++;
            int start = pos;
            while (pos < text.Length && !IsSep(text[pos])) pos++;
            if (pos == start) break;
            tokens++;
            var tok = text[start..pos];
            if (tok.Length is >= 3 and <= 8)
            {
                ulong key = Pack(tok);
                if (key != 0 && Index.TryGetValue(key, out int idx)) { run.Add(idx); continue; }
            }
            if (Check(run) is { } f) return f with { Encoding = encoding };
            run.Clear();
        }
        return Check(run) is { } g ? g with { Encoding = encoding } : null;
    }

    private Finding? Check(List<int> run)
    {
        if (run.Count < _minWords) return null;
        foreach (int len in Lengths)
        {
            if (len < _minWords || len > run.Count) continue;
            for (int start = 0; start + len <= run.Count; start++)
            {
                if (_verifyChecksum && !ChecksumOk(run, start, len)) continue;
                return new Finding(ScannerNames.SeedPhrase, Rule, Severity.Critical, ScanAction.Block,
                    $"[{len}-word BIP-39 phrase REDACTED]");
            }
        }
        return null;
    }

    /// <summary>BIP-39: ENT = 32·len/3 bits of entropy followed by ENT/32 bits of SHA-256(entropy).</summary>
    public static bool ChecksumOk(IReadOnlyList<int> words, int start, int len)
    {
        int totalBits = len * 11, csBits = len / 3, entBits = totalBits - csBits;
        Span<byte> bits = stackalloc byte[33];
        bits.Clear();
        int bit = 0;
        for (int i = 0; i < len; i++)
        {
            int v = words[start + i];
            for (int b = 10; b >= 0; b--, bit++)
                if ((v >> b & 1) != 0) bits[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }
        var entropy = bits[..(entBits / 8)];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(entropy, hash);
        for (int i = 0; i < csBits; i++)
        {
            int pos = entBits + i;
            bool want = (hash[i / 8] >> (7 - i % 8) & 1) != 0;
            bool got = (bits[pos / 8] >> (7 - pos % 8) & 1) != 0;
            if (want != got) return false;
        }
        return true;
    }

    /// <summary>The tokeniser's separators, <c>[-\s,|;:]</c>.</summary>
    internal static bool IsSep(char c) => c < 128 && Separators[c];

    private static readonly bool[] Separators = BuildSeparators();

    private static bool[] BuildSeparators()
    {
        var t = new bool[128];
        foreach (char c in "-,|;: \t\n\r\f\v") t[c] = true;
        return t;
    }
}
