using System.Text;
using Pipelock.Scanners.Normalize;

namespace Pipelock.Scanners.Injection;

/// <summary>Source-level rewrites that derive the pass-specific variants of a pattern.</summary>
internal static class RegexVariants
{
    /// <summary>Pass 4: <c>\s+</c> → <c>\s*</c> and <c>[-,;:.\s]+</c> → <c>[-,;:.\s]*</c> ("ignoreallpreviousinstructions").</summary>
    public static string OptionalWhitespace(string source) =>
        source.Replace(@"[-,;:.\s]+", @"[-,;:.\s]*", StringComparison.Ordinal).Replace(@"\s+", @"\s*", StringComparison.Ordinal);

    /// <summary>
    /// Pass 5: folds vowels in the pattern like <see cref="TextNormalizer.VowelFold"/> folds content. Escapes
    /// (<c>\s</c>, <c>\b</c>) and every inline flag group (<c>(?i)</c>, <c>(?-i:</c>, <c>(?is)</c>) are kept, where
    /// Pipelock only keeps the leading flag group.
    /// </summary>
    public static string VowelFold(string source)
    {
        var sb = new StringBuilder(source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '\\' && i + 1 < source.Length) { sb.Append(c).Append(source[++i]); continue; }
            if (c == '(' && i + 1 < source.Length && source[i + 1] == '?')
            {
                int end = source.IndexOfAny([':', ')'], i);
                if (end < 0) end = source.Length - 1;
                sb.Append(source, i, end - i + 1);
                i = end;
                continue;
            }
            sb.Append(c switch { 'e' or 'i' or 'o' or 'u' => 'a', 'E' or 'I' or 'O' or 'U' => 'A', _ => c });
        }
        return sb.ToString();
    }

    /// <summary>
    /// Normalises non-ASCII literals the way content is normalised (NFKC, then NFD with marks dropped), outside
    /// character classes. Content passes through ForMatching, whose NFD step splits Hangul syllables into jamo and
    /// drops kana voicing marks; without this the Korean patterns and e.g. "モード" could never match (a latent
    /// Pipelock gap).
    /// </summary>
    public static string NormaliseLiterals(string source)
    {
        if (!source.AsSpan().ContainsAnyExceptInRange('\0', '\u007F')) return source;
        var sb = new StringBuilder(source.Length * 2);
        bool inClass = false;
        for (int i = 0; i < source.Length;)
        {
            char c = source[i];
            if (c == '\\' && i + 1 < source.Length) { sb.Append(c).Append(source[i + 1]); i += 2; continue; }
            if (c == '[' && !inClass) inClass = true;
            else if (c == ']' && inClass) inClass = false;
            if (c <= 0x7F || inClass) { sb.Append(c); i++; continue; }
            int j = i;
            while (j < source.Length && source[j] > 0x7F) j++;
            sb.Append(TextNormalizer.StripCombiningMarks(TextNormalizer.Nfkc(source[i..j])));
            i = j;
        }
        return sb.ToString();
    }
}
