namespace Pipelock.Scanners.Dlp;

/// <summary>
/// One pass over a text that gates and localises rules without a literal keyword (cards, IBAN, WIF, JWT, ...):
/// the longest token run (letters, digits, <c>+/=_-.~</c>), the digit count, the token runs of at least
/// <see cref="LongRun"/> characters and the digit clusters (digits with ' ' or '-' between) holding at least
/// <see cref="ClusterDigits"/> digits. Keyword-less rules then run only on those spans, not on the whole text.
/// </summary>
internal sealed class TextFeatures
{
    public const int LongRun = 15;
    public const int ClusterDigits = 9;
    public const int MaxSpans = 256;

    public int MaxRun { get; private set; }
    public int Digits { get; private set; }
    /// <summary>Token runs (start, length, digits) of at least <see cref="LongRun"/> chars; null when more than <see cref="MaxSpans"/>.</summary>
    public List<(int Start, int Length, int Digits)>? Runs { get; private set; } = [];
    /// <summary>Digit clusters (start, length, digits); null when more than <see cref="MaxSpans"/>.</summary>
    public List<(int Start, int Length, int Digits)>? Clusters { get; private set; } = [];

    public static TextFeatures Of(ReadOnlySpan<char> s)
    {
        var f = new TextFeatures();
        int run = 0, runStart = 0, runDigits = 0, digits = 0;
        int cl = 0, clStart = 0, clDigits = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            char c = i < s.Length ? s[i] : '\0';
            bool tok = c < 128 && IsToken[c];
            bool digit = c is >= '0' and <= '9';
            if (tok)
            {
                if (run == 0) { runStart = i; runDigits = 0; }
                run++;
                if (digit) { digits++; runDigits++; }
            }
            else if (run > 0)
            {
                if (run > f.MaxRun) f.MaxRun = run;
                if (run >= LongRun) AddSpan(ref f._runs, runStart, run, runDigits);
                run = 0;
            }
            // Digit clusters: digits joined by single separators (card numbers "4111 1111 …", SSNs, IBAN groups).
            if (digit) { if (cl == 0) { clStart = i; clDigits = 0; } cl = i - clStart + 1; clDigits++; }
            else if (cl > 0 && !(c is ' ' or '-' && i + 1 < s.Length && s[i + 1] is >= '0' and <= '9'))
            {
                if (clDigits >= ClusterDigits) AddSpan(ref f._clusters, clStart, i - clStart, clDigits);
                cl = 0;
            }
        }
        f.Digits = digits;
        f.Runs = f._runs;
        f.Clusters = f._clusters;
        return f;
    }

    private List<(int, int, int)>? _runs = [];
    private List<(int, int, int)>? _clusters = [];

    private static void AddSpan(ref List<(int, int, int)>? list, int start, int len, int digits)
    {
        if (list is null) return;
        if (list.Count >= MaxSpans) { list = null; return; }
        list.Add((start, len, digits));
    }

    /// <summary>A token-run char: ASCII letter, digit or one of <c>+/=_-.~</c>.</summary>
    public static bool IsTokenChar(char c) => c < 128 && IsToken[c];

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
