using System.Text;
using Pipelock.Scanners.Normalize;

namespace Pipelock.Scanners.Policy;

/// <summary>Unicode preparation for the policy views (pre-normaliser, invisible characters, ForMatching).</summary>
internal static class PolicyText
{
    /// <summary>
    /// Maps confusables to the Latin letter a command needs. The shared map sends у→y, в→v, н→h (right for prose such
    /// as "you"), which would turn c\u0443rl into "cyrl" and let it past Network Exfiltration.
    /// </summary>
    public static string PreNormalize(string s)
    {
        if (s.AsSpan().IndexOfAny("\u0443\u0423\u0432\u0412\u043D\u041D") < 0) return s;
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '\u0443' => 'u', '\u0423' => 'U',
                '\u0432' => 'b', '\u0412' => 'B',
                '\u043D' => 'n', '\u041D' => 'N',
                _ => c,
            });
        }
        return sb.ToString();
    }

    /// <summary>
    /// Unicode preparation per view. Upper-case Cyrillic is pre-normalised here as well (the shared pre-normaliser only
    /// folds lower case), then ForMatching (invisible dropped) or ForPolicy (invisible → space).
    /// </summary>
    public static string Prepare(string s, ShellViewKind kind)
    {
        if (IsAscii(s)) return s;
        try
        {
            return kind switch
            {
                ShellViewKind.Policy => TextNormalizer.ForMatching(PreNormalize(s)),
                ShellViewKind.PolicyInvisibleAsSpace => TextNormalizer.ForPolicy(PreNormalize(s)),
                _ => TextNormalizer.ForMatching(s),
            };
        }
        catch (ArgumentException)
        {
            // Malformed UTF-16 can make Unicode normalisation throw; the raw text is still matched.
            return s;
        }
    }

    public static bool IsAscii(string s) => System.Text.Ascii.IsValid(s);
}
