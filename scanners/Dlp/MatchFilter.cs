using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>Post-match acceptance: validator, then placeholder and <see cref="HardNegatives"/> checks by rule kind.</summary>
internal static class MatchFilter
{
    /// <summary>Default rules whose match is "name = value": the value part gets the template/placeholder checks.</summary>
    private static readonly HashSet<string> AssignmentDefaults = ["Credential in URL", "Environment Variable Secret", "AWS Secret Key"];

    public static bool Accept(CompiledPattern cp, string text, int mi, int ml, int vi, int vl)
    {
        var p = cp.Pattern;
        var match = text.AsSpan(mi, ml);
        var value = text.AsSpan(vi, vl);
        if (!Validate(p.Validator, p.ValueGroup > 0 ? value : match)) return false;     // checksum the captured token, not its context

        if (p.Name is "Private Key Header" or "PGP/SSH Private Key Block")
            return !HardNegatives.IsEmptyPemBlock(text, mi, mi + ml);
        if (p.Name is "JWT Token" or "JWT (unsigned)" && !HardNegatives.JwtHeaderIsJson(match)) return false;
        if (p.Name == "Age Secret Key" && !HardNegatives.Bech32Ok(match)) return false;

        int prefix = PrefixLength(cp, match);
        var body = p.ValueGroup == 0 && prefix > 0 && prefix < value.Length ? value[prefix..] : value;
        if (Placeholders.IsPlaceholderBody(body) || HardNegatives.IsPeriodic(body, 4) || HardNegatives.HasSameCharRun(body, 10)) return false;

        if (prefix > 0 && p.ValueGroup == 0)
        {
            // A prefixed token starts and ends at a token boundary and is random. Short prefixes ("hf_", "key-",
            // "AIza") also occur inside identifiers and blobs; long ones ("sq0csp-") are distinctive anywhere.
            if (prefix < 6 && mi > 0 && (char.IsAsciiLetterOrDigit(text[mi - 1]) || text[mi - 1] is '_' or '-' or '.')) return false;
            int end = mi + ml;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '#' or '*' or '_' or '-' or '\u2022')) return false;
            if (HardNegatives.IsPeriodic(body, 12) || HardNegatives.HasAscendingRun(body, 7, digits: true) || HardNegatives.IsIdentifierLike(body)
                || HardNegatives.HasRepeatedSegment(body) || HardNegatives.IsWordComposed(body)
                || MixedCaseAlphabet(p) && HardNegatives.IsUpperCased(body)) return false;
        }
        if (AssignmentDefaults.Contains(p.Name))
        {
            var v = AssignedValue(match);
            if (Placeholders.IsPlaceholderValue(v) || HardNegatives.HasAscendingRun(v, 8, digits: true)) return false;
        }
        if (p.ContextRule)
        {
            if (!KeywordStartsWord(cp, text, mi)) return false;
            if (Placeholders.IsTemplate(value) || HardNegatives.IsIdentifierLike(value) || HardNegatives.HasAscendingRun(value, 8, digits: false)) return false;
        }
        if (p.ValueGroup > 0 && p.Judge == KeyKind.None && Placeholders.IsTemplate(value)) return false;
        if (p.MinEntropy > 0 && ShannonEntropy.BitsPerChar(value) < p.MinEntropy) return false;
        // An unquoted value can be code ("password = getpass()"); a quoted one is a literal.
        bool quoted = vi > 0 && text[vi - 1] is '"' or '\'' or '`';
        if (p.Judge != KeyKind.None && !ValueJudge.IsCredential(value, p.Judge, quoted)) return false;
        return true;
    }

    private static bool Validate(string? validator, ReadOnlySpan<char> match) => DlpValidators.Validate(validator, match);

    /// <summary>The rule's alphabet spells out both letter cases ("[0-9A-Za-z_-]"), i.e. real tokens are mixed-case.</summary>
    private static bool MixedCaseAlphabet(DlpPattern p) =>
        p.Regex.Contains("A-Z", StringComparison.Ordinal) && p.Regex.Contains("a-z", StringComparison.Ordinal);

    private static int PrefixLength(CompiledPattern cp, ReadOnlySpan<char> match)
    {
        int best = 0;
        foreach (var k in cp.Keywords)
            if (k.Length > best && k.Length < match.Length && match.StartsWith(k, StringComparison.OrdinalIgnoreCase)) best = k.Length;
        return best;
    }

    /// <summary>
    /// The keyword of a context rule must not straddle a camelCase boundary: "CameraKit" does not contain the
    /// keyword "meraki", "sumObj" not "sumo", "rookTable" not "okta" (but "ibmcoshmac_secret" does contain "coshmac").
    /// </summary>
    private static bool KeywordStartsWord(CompiledPattern cp, string text, int mi)
    {
        var m = text.AsSpan(mi);
        foreach (var k in cp.Keywords)
        {
            if (!m.StartsWith(k, StringComparison.OrdinalIgnoreCase)) continue;
            for (int i = 1; i < k.Length; i++)
                if (char.IsAsciiLetterLower(m[i - 1]) && char.IsAsciiLetterUpper(m[i])) return false;
            int after = mi + k.Length;
            if (after < text.Length && char.IsAsciiLetterUpper(text[after - 1]) && char.IsAsciiLetterLower(text[after]) && k.Length > 1
                && char.IsAsciiLetterLower(text[after - 2])) return false;
            return true;
        }
        return true;
    }

    private static ReadOnlySpan<char> AssignedValue(ReadOnlySpan<char> match)
    {
        int i = match.IndexOfAny('=', ':');
        if (i < 0) return match;
        return match[(i + 1)..].Trim().Trim("\"' ");
    }
}
