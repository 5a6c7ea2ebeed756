using System.Text.RegularExpressions;
using Pipelock.Scanners.Text;

namespace Pipelock.Scanners.Dlp;

/// <summary>A <see cref="DlpPattern"/> with its regex compiled once and its pre-filter keywords resolved.</summary>
internal sealed class CompiledPattern
{
    public CompiledPattern(DlpPattern p, int index)
    {
        Pattern = p;
        Index = index;
        Regex = Re2Regex.Compile(p.Regex.StartsWith("(?i)", StringComparison.Ordinal) ? p.Regex : "(?i)" + p.Regex);
        if (p.Keywords is not null)
        {
            Keywords = p.Keywords.Select(k => k.ToLowerInvariant()).ToArray();
        }
        else
        {
            var prefix = LiteralPrefix.Extract(p.Regex);
            // A one-character prefix would let the rule run on almost any text: gate it on token length instead.
            Keywords = prefix.Length >= 2 ? [prefix] : [];
        }
        MinRun = p.MinRun > 0 ? p.MinRun : (Keywords.Length == 0 && p.MinDigits == 0 ? 16 : 0);
        StripPrefix = Keywords.Length == 1 ? Keywords[0].Length : 0;
    }

    public DlpPattern Pattern { get; }
    public int Index { get; }
    public Regex Regex { get; }
    public string[] Keywords { get; }
    public int MinRun { get; }
    /// <summary>Characters of fixed prefix to drop before the placeholder check.</summary>
    public int StripPrefix { get; }
    public bool AlwaysRun => Keywords.Length == 0;
}
