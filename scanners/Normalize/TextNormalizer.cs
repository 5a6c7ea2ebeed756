using System.Text;

namespace Pipelock.Scanners.Normalize;

/// <summary>
/// The single source of truth for text normalisation (Pipelock's <c>internal/normalize</c>), one pipeline per purpose.
/// SKELETON: the bodies below are placeholders to be completed per catalogue §1.4 / §2.2 / §3.4 / §3.8.
/// </summary>
public static class TextNormalizer
{
    /// <summary>For DLP: strip control + invisible, strip exotic whitespace, NFKC, confusables to ASCII, strip combining marks.</summary>
    public static string ForDlp(string s) => s.Normalize(NormalizationForm.FormKC);

    /// <summary>For injection matching: strip zero-width (keep TAB/LF/CR), NFKC, confusables, strip marks, exotic whitespace to ' '.</summary>
    public static string ForMatching(string s) => s.Normalize(NormalizationForm.FormKC);

    /// <summary>For tool descriptions: control strip, NFKC, confusables, strip marks, leetspeak, whitespace.</summary>
    public static string ForToolText(string s) => s.Normalize(NormalizationForm.FormKC);

    /// <summary>For tool-policy names and args (policy pre-normaliser у→u, в→b, н→n then ForMatching).</summary>
    public static string ForPolicy(string s) => s.Normalize(NormalizationForm.FormKC);
}
