namespace Pipelock.Scanners.Normalize;

/// <summary>The character sets of Pipelock's <c>internal/normalize</c> (catalogue §1.4).</summary>
internal static class UnicodeSets
{
    /// <summary>
    /// Pipelock's <c>InvisibleRanges</c>: soft hyphen, Hangul fillers, ZW space..RTL mark, bidi embeddings/isolates,
    /// word joiner..invisible plus, variation selectors, BOM, interlinear anchors, the Tags block (ASCII smuggling)
    /// and the variation-selector supplement.
    /// </summary>
    public static bool IsInvisible(int cp) => cp switch
    {
        0x00AD => true,
        >= 0x115F and <= 0x1160 => true,
        >= 0x200B and <= 0x200F => true,
        >= 0x202A and <= 0x202E => true,
        >= 0x2060 and <= 0x2064 => true,
        >= 0x2066 and <= 0x2069 => true,
        0x3164 => true,
        >= 0xFE00 and <= 0xFE0F => true,
        0xFEFF => true,
        >= 0xFFF9 and <= 0xFFFB => true,
        >= 0xE0000 and <= 0xE007F => true,
        >= 0xE0100 and <= 0xE01EF => true,
        _ => false,
    };

    /// <summary>C0 (all), DEL and C1.</summary>
    public static bool IsControl(int cp) => cp <= 0x1F || cp is >= 0x7F and <= 0x9F;

    /// <summary>The 19 non-ASCII spaces Pipelock rewrites (explicit list, not category Zs, so behaviour is auditable).</summary>
    public static bool IsExoticWhitespace(int cp) => cp switch
    {
        0x00A0 or 0x1680 or 0x180E => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };
}
