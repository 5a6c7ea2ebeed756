using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Injection verdict of a text seen as overlapping windows (<see cref="InjectionScanner.BeginWindows"/>), so no
/// caller needs the whole text as one string. Windows combine as one whole-text scan would: a core hit anywhere wins
/// over configured hits; within a group only the matches of the earliest pass that hit in any window count (a
/// whole-text scan stops at the first pass that matches anywhere); a match seen twice in an overlap counts once; matches are capped
/// as in one scan, except that each pattern's first match always counts.
/// Not thread-safe: one per body.
/// </summary>
public sealed class InjectionWindows : ITextWindowSink
{
    private readonly InjectionScanner _scanner;
    private readonly Group _core = new(), _main = new();
    private Finding? _error;

    internal InjectionWindows(InjectionScanner scanner) => _scanner = scanner;

    public bool HasFindings => _core.Pass > 0 || _main.Pass > 0 || _error is not null;

    /// <summary>True once a finding that always blocks (core floor, scan error) was recorded.</summary>
    public bool HasCoreFinding => _core.Pass > 0 || _error is not null;

    public void Add(ReadOnlySpan<char> window, long offset)
    {
        if (window.IsEmpty || _error is not null) return;
        try
        {
            var (core, main) = _scanner.DetectWindow(window);
            _core.Add(core, offset);
            _main.Add(main, offset);
        }
        catch (RegexMatchTimeoutException)
        {
            // As in a whole-text scan: a pattern that could not finish fails closed.
            _error = new Finding(ScannerNames.ResponseScan, "Scan Error", Severity.High, ScanAction.Block,
                "pattern evaluation timed out; content could not be fully scanned");
        }
    }

    public Verdict Verdict
    {
        get
        {
            if (_error is not null) return Verdict.Of(_error);
            if (_core.Pass > 0) return _core.Build(ScannerNames.CoreResponse, Severity.Critical, ScanAction.Block);
            if (_main.Pass > 0) return _main.Build(ScannerNames.ResponseScan, Severity.High, _scanner.Options.Action);
            return Verdict.Clean;
        }
    }

    private sealed class Group
    {
        private readonly List<(RawMatch Match, long Position)> _matches = [];
        private readonly HashSet<(string, long, string?)> _seen = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        /// <summary>The earliest pass that hit so far (1..6); 0: none.</summary>
        public int Pass { get; private set; }

        public void Add(Detection? d, long offset)
        {
            if (d is null || (Pass > 0 && d.Pass > Pass)) return;
            if (d.Pass < Pass || Pass == 0)
            {
                _matches.Clear();
                _seen.Clear();
                _names.Clear();
                Pass = d.Pass;
            }
            foreach (var m in d.Matches)
            {
                long position = m.Position < 0 ? -1 : m.Position + offset;
                if (!_seen.Add((m.Name, position, m.Encoding))) continue;
                // Capped like one scan's matches, but a pattern not yet named always gets in: many hits of one
                // pattern in early windows must not hide another pattern in a later one.
                if (_matches.Count < PatternSet.MaxMatches || _names.Add(m.Name)) _matches.Add((m, position));
                _names.Add(m.Name);
            }
        }

        public Verdict Build(string scanner, Severity severity, ScanAction action)
        {
            var builder = ImmutableArray.CreateBuilder<Finding>(_matches.Count);
            foreach (var (m, position) in _matches)
                builder.Add(new Finding(scanner, m.Name, severity, action, m.Evidence, (int)Math.Min(position, int.MaxValue), m.Encoding));
            return new Verdict(builder.ToImmutable());
        }
    }
}
