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

    public static string Prepare(string s, ShellViewKind kind)
    {
        if (kind != ShellViewKind.Baseline) s = PreNormalize(s);
        s = ReplaceInvisible(s, kind == ShellViewKind.PolicyInvisibleAsSpace ? " " : "");
        try
        {
            return TextNormalizer.ForMatching(s);
        }
        catch (ArgumentException)
        {
            // Lone surrogates make Unicode normalisation throw; the raw text is still matched.
            return s;
        }
    }

    public static bool IsAscii(string s) => System.Text.Ascii.IsValid(s);

    /// <summary>Format/zero-width characters that render as nothing (tag characters included).</summary>
    public static bool IsInvisible(string s, int i, out int width)
    {
        char c = s[i];
        width = 1;
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            int cp = char.ConvertToUtf32(c, s[i + 1]);
            width = 2;
            return cp is >= 0xE0000 and <= 0xE007F or >= 0x1D173 and <= 0x1D17A;
        }
        return c is '\u00AD' or '\u034F' or '\u061C' or '\u115F' or '\u1160' or '\u17B4' or '\u17B5' or '\u3164' or '\uFEFF' or '\uFFA0'
            or (>= '\u180B' and <= '\u180F') or (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E')
            or (>= '\u2060' and <= '\u206F') or (>= '\uFE00' and <= '\uFE0F');
    }

    private static string ReplaceInvisible(string s, string replacement)
    {
        if (IsAscii(s)) return s;
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            if (IsInvisible(s, i, out int w))
            {
                sb ??= new StringBuilder(s.Length).Append(s, 0, i);
                sb.Append(replacement);
                i += w - 1;
            }
            else sb?.Append(s[i]);
        }
        return sb?.ToString() ?? s;
    }
}
