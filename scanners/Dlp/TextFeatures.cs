namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Cheap one-pass facts about a text that gate rules without a literal keyword (cards, IBAN, WIF, JWT, ...):
/// the longest token run (letters, digits, <c>+/=_-.~</c>) and the number of ASCII digits.
/// </summary>
internal readonly struct TextFeatures
{
    public readonly int MaxRun;
    public readonly int Digits;

    private TextFeatures(int maxRun, int digits) { MaxRun = maxRun; Digits = digits; }

    public static TextFeatures Of(ReadOnlySpan<char> s)
    {
        int max = 0, run = 0, digits = 0;
        foreach (char c in s)
        {
            if (c < 128 && IsToken[c])
            {
                run++;
                if (c is >= '0' and <= '9') digits++;
            }
            else
            {
                if (run > max) max = run;
                run = 0;
            }
        }
        if (run > max) max = run;
        return new TextFeatures(max, digits);
    }

    private static readonly bool[] IsToken = Build();

    private static bool[] Build()
    {
        var t = new bool[128];
        for (char c = '0'; c <= '9'; c++) t[c] = true;
        for (char c = 'a'; c <= 'z'; c++) t[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) t[c] = true;
        foreach (char c in "+/=_-.~") t[c] = true;
        return t;
    }
}
