using System.Collections.Frozen;

namespace Pipelock.Scanners.Normalize;

/// <summary>
/// Pipelock's 151-entry cross-script confusable map (catalogue §1.4). NFKC does not fold these (Cyrillic а stays а),
/// so they are mapped after NFKC. Mapping choices are Pipelock's (в→v, н→h, у→y; the policy pre-normaliser re-maps them).
/// </summary>
internal static class Confusables
{
    public static readonly FrozenDictionary<int, char> Map = Build().ToFrozenDictionary();

    private static Dictionary<int, char> Build()
    {
        var m = new Dictionary<int, char>();
        void Add(string pairs)
        {
            // "XY" pairs: source code point (may be a surrogate pair) followed by its ASCII letter.
            for (int i = 0; i < pairs.Length;)
            {
                int cp = char.ConvertToUtf32(pairs, i);
                i += char.IsSurrogatePair(pairs, i) ? 2 : 1;
                m.Add(cp, pairs[i++]);
            }
        }
        // Cyrillic upper / lower.
        Add("\u0410A\u0412B\u0421C\u0415E\u041DH\u0406I\u0408J\u041AK\u041CM\u041EO\u0420P\u0405S\u0422T\u0425X");
        Add("\u0430a\u0432v\u0435e\u043Dh\u0456i\u043Ak\u043Cm\u043Eo\u0440p\u0441c\u0442t\u0443y\u0445x\u0458j\u0455s");
        // Greek upper / lower.
        Add("\u0391A\u0392B\u0395E\u0396Z\u0397H\u0399I\u039AK\u039CM\u039DN\u039FO\u03A1P\u03A4T\u03A5Y\u03A7X");
        Add("\u03B1a\u03B5e\u03B9i\u03BAk\u03BDv\u03BFo");
        // Armenian, Cherokee.
        Add("\u0555O\u0585o\u054DS\u057Ds\u054CL\u0570h\u0578n\u057Cn\u0561a");
        Add("\u13AAA\u13A2I\u13D2P\u13DAS\u13A1E\u13B3W\u13D4T");
        // Stroke letters: the stroke is not a combining mark, so NFD does not remove it.
        Add("\u00D8O\u00F8o\u0110D\u0111d\u0141L\u0142l\u0126H\u0127h\u0166T\u0167t");
        // Latin letter small capitals that survive NFKC.
        Add("\u1D00A\u0299B\u1D04C\u1D05D\u1D07E\uA730F\u0262G\u029CH\u026AI\u1D0AJ\u1D0BK\u029FL\u1D0DM\u0274N\u1D0FO\u1D18P\u0280R\uA731S\u1D1BT\u1D1CU\u1D20V\u1D21W\u028FY\u1D22Z");
        // Negative squared capitals U+1F170..1F189 and regional indicators U+1F1E6..1F1FF (supplementary: surrogate pairs).
        for (int k = 0; k < 26; k++)
        {
            m.Add(0x1F170 + k, (char)('A' + k));
            m.Add(0x1F1E6 + k, (char)('A' + k));
        }
        return m;
    }
}
