using System.Buffers;
using System.Text;

namespace Pipelock.Scanners.Normalize;

/// <summary>
/// The single source of truth for text normalisation (Pipelock's <c>internal/normalize</c>), one pipeline per purpose.
/// Every step returns the same instance when it changes nothing, and each pipeline returns its input untouched
/// (no allocation) when the text is printable ASCII plus the whitespace controls that pipeline keeps: a vectorised
/// scan decides that, and only non-ASCII or control-bearing text pays for the full pipeline.
/// NFKC / NFD are managed (<see cref="UnicodeNormalizer"/>) because the build is globalization-invariant.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Stacked combining marks at or above this count are "Zalgo" text (Pipelock's ZalgoSuspiciousThreshold).</summary>
    public const int ZalgoThreshold = 3;

    private static readonly SearchValues<char> LeetChars = SearchValues.Create("013457@$");

    /// <summary>Printable ASCII only (0x20..0x7E).</summary>
    internal static bool IsPrintableAscii(ReadOnlySpan<char> s) => s.IndexOfAnyExceptInRange(' ', '~') < 0;

    /// <summary>Printable ASCII plus TAB, LF, CR: one vectorised scan (stepping over each newline cost a call per line).</summary>
    internal static bool IsAsciiText(ReadOnlySpan<char> s) => s.IndexOfAnyExcept(AsciiTextChars) < 0;

    private static readonly SearchValues<char> AsciiTextChars = SearchValues.Create(BuildAsciiText());

    private static string BuildAsciiText()
    {
        var sb = new StringBuilder("\t\n\r");
        for (char c = ' '; c <= '~'; c++) sb.Append(c);
        return sb.ToString();
    }

    /// <summary>DLP: strip control + invisible, strip exotic whitespace, NFKC, confusables to ASCII, strip combining marks.</summary>
    public static string ForDlp(string s)
    {
        if (IsPrintableAscii(s)) return s;
        // ASCII whose only controls are TAB/CR/LF (most multi-line text): the pipeline reduces to dropping them, in one pass.
        if (IsAsciiText(s)) return RemoveLineBreaks(s);
        s = StripControlChars(s);
        s = StripExoticWhitespace(s);
        s = UnicodeNormalizer.Nfkc(s);
        s = ConfusableToAscii(s);
        return StripCombiningMarks(s);
    }

    /// <summary>Injection matching: strip zero-width (keep TAB/LF/CR), NFKC, confusables, strip marks, exotic whitespace to ' '.</summary>
    public static string ForMatching(string s)
    {
        if (IsAsciiText(s)) return s;
        s = StripZeroWidth(s);
        s = UnicodeNormalizer.Nfkc(s);
        s = ConfusableToAscii(s);
        s = StripCombiningMarks(s);
        return ExoticWhitespaceToSpace(s);
    }

    /// <summary>Tool descriptions: strip all control + invisible, NFKC, confusables, strip marks, leetspeak, exotic whitespace to ' '.</summary>
    public static string ForToolText(string s)
    {
        if (IsPrintableAscii(s)) return s.AsSpan().IndexOfAny(LeetChars) < 0 ? s : LeetFold(s);
        s = StripControlChars(s);
        s = UnicodeNormalizer.Nfkc(s);
        s = ConfusableToAscii(s);
        s = StripCombiningMarks(s);
        s = LeetFold(s);
        return ExoticWhitespaceToSpace(s);
    }

    /// <summary>
    /// Tool-policy names and arguments: the policy pre-normaliser (у→u, в→b, н→n, so Cyrillic spellings of shell words
    /// read as their Latin originals rather than ForMatching's y/v/h), then Pipelock's ForPolicy pipeline: invisible →
    /// space (keeps "rm\u200B-rf" apart as "rm -rf"), NFKC, confusables, strip marks, exotic whitespace to ' '.
    /// Callers wanting the view without the pre-normaliser use <see cref="ForMatching"/>.
    /// </summary>
    public static string ForPolicy(string s)
    {
        if (IsAsciiText(s)) return s;
        s = PolicyPreNormalize(s);
        s = ReplaceInvisibleWithSpace(s);
        s = UnicodeNormalizer.Nfkc(s);
        s = ConfusableToAscii(s);
        s = StripCombiningMarks(s);
        return ExoticWhitespaceToSpace(s);
    }

    private static string RemoveLineBreaks(string s)
    {
        int breaks = s.AsSpan().Count('\n') + s.AsSpan().Count('\r') + s.AsSpan().Count('\t');
        return string.Create(s.Length - breaks, s, static (dst, src) =>
        {
            int n = 0;
            foreach (char c in src)
                if (c is not ('\t' or '\n' or '\r')) dst[n++] = c;
        });
    }

    /// <summary>Removes all C0 (TAB/LF/CR included), DEL, C1 and invisible characters.</summary>
    public static string StripControlChars(string s) => RuneMapper.Apply<DropControlAndInvisible>(s);

    /// <summary>Removes C0 except TAB/LF/CR, DEL, C1 and invisible characters (Pipelock's StripZeroWidth).</summary>
    public static string StripZeroWidth(string s) => RuneMapper.Apply<DropInvisibleKeepWhitespace>(s);

    /// <summary>Like <see cref="StripZeroWidth"/> but replaces with a space, so "ignore\u200Ball" stays two words.</summary>
    public static string ReplaceInvisibleWithSpace(string s) => RuneMapper.Apply<InvisibleToSpace>(s);

    /// <summary>Removes the 19 exotic spaces (DLP: secrets never contain them; must run before NFKC turns them into ' ').</summary>
    public static string StripExoticWhitespace(string s) => RuneMapper.Apply<DropExoticWhitespace>(s);

    /// <summary>Maps the 19 exotic spaces to ASCII space (Pipelock's Whitespace).</summary>
    public static string ExoticWhitespaceToSpace(string s) => RuneMapper.Apply<ExoticWhitespaceAsSpace>(s);

    /// <summary>Maps the 151 cross-script lookalikes to ASCII letters.</summary>
    public static string ConfusableToAscii(string s) => RuneMapper.Apply<ConfusableMap>(s);

    /// <summary>NFD, then drops every non-spacing mark (category Mn). The result stays decomposed, as in Pipelock.</summary>
    public static string StripCombiningMarks(string s)
    {
        // Nothing below U+00C0 has a canonical decomposition or is a mark.
        if (s.AsSpan().IndexOfAnyExceptInRange('\0', '\u00BF') < 0) return s;
        return RuneMapper.Apply<DropNonSpacingMark>(UnicodeNormalizer.Nfd(s));
    }

    /// <summary>NFKC (managed; works under invariant globalization).</summary>
    public static string Nfkc(string s) => UnicodeNormalizer.Nfkc(s);

    /// <summary>Leetspeak fold: 0→o 1→i 3→e 4→a 5→s 7→t @→a $→s.</summary>
    public static string LeetFold(string s) => s.AsSpan().IndexOfAny(LeetChars) < 0 ? s : RuneMapper.Apply<Leet>(s);

    /// <summary>Vowel fold: a,e,i,o,u → a and A,E,I,O,U → A ("instroctions" and "instructions" fold alike).</summary>
    public static string VowelFold(string s) => RuneMapper.Apply<Vowels>(s);

    /// <summary>Policy pre-normaliser: Cyrillic у→u, в→b, н→n (before the confusable map would make them y, v, h).</summary>
    public static string PolicyPreNormalize(string s) => RuneMapper.Apply<PolicyCyrillic>(s);

    /// <summary>Longest run of consecutive combining marks (Mn) in the raw input: Zalgo / stego signal, ≥ <see cref="ZalgoThreshold"/> is suspicious.</summary>
    public static int MaxStackedCombiningMarks(string s)
    {
        if (s.AsSpan().IndexOfAnyExceptInRange('\0', '\u02FF') < 0) return 0;
        int max = 0, cur = 0;
        foreach (var r in s.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                if (++cur > max) max = cur;
            }
            else cur = 0;
        }
        return max;
    }

    /// <summary>True when <see cref="MaxStackedCombiningMarks"/> reaches <see cref="ZalgoThreshold"/>.</summary>
    public static bool IsZalgo(string s) => MaxStackedCombiningMarks(s) >= ZalgoThreshold;

    private readonly struct DropControlAndInvisible : IRuneMap
    {
        public static int Map(int cp) => UnicodeSets.IsControl(cp) || UnicodeSets.IsInvisible(cp) ? -1 : cp;
    }

    private readonly struct DropInvisibleKeepWhitespace : IRuneMap
    {
        public static int Map(int cp) => cp is '\t' or '\n' or '\r' ? cp : UnicodeSets.IsControl(cp) || UnicodeSets.IsInvisible(cp) ? -1 : cp;
    }

    private readonly struct InvisibleToSpace : IRuneMap
    {
        public static int Map(int cp) => cp is '\t' or '\n' or '\r' ? cp : UnicodeSets.IsControl(cp) || UnicodeSets.IsInvisible(cp) ? ' ' : cp;
    }

    private readonly struct DropExoticWhitespace : IRuneMap
    {
        public static int Map(int cp) => UnicodeSets.IsExoticWhitespace(cp) ? -1 : cp;
    }

    private readonly struct ExoticWhitespaceAsSpace : IRuneMap
    {
        public static int Map(int cp) => UnicodeSets.IsExoticWhitespace(cp) ? ' ' : cp;
    }

    private readonly struct ConfusableMap : IRuneMap
    {
        public static int Map(int cp) => cp < 0xD8 ? cp : Confusables.Map.TryGetValue(cp, out char a) ? a : cp;
    }

    private readonly struct DropNonSpacingMark : IRuneMap
    {
        public static int Map(int cp) =>
            cp >= 0x300 && Rune.GetUnicodeCategory(new Rune(cp)) == System.Globalization.UnicodeCategory.NonSpacingMark ? -1 : cp;
    }

    private readonly struct Leet : IRuneMap
    {
        public static bool KeepsPrintableAscii => false;

        public static int Map(int cp) => cp switch
        {
            '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '@' => 'a', '$' => 's', _ => cp,
        };
    }

    private readonly struct Vowels : IRuneMap
    {
        public static bool KeepsPrintableAscii => false;

        public static int Map(int cp) => cp switch
        {
            'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', _ => cp,
        };
    }

    private readonly struct PolicyCyrillic : IRuneMap
    {
        public static bool KeepsPrintableAscii => true;

        public static int Map(int cp) => cp switch { 0x0443 => 'u', 0x0432 => 'b', 0x043D => 'n', _ => cp };
    }
}
