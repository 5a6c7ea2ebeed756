using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Injection;

/// <summary>
/// Prompt-injection scanning of inbound content (Pipelock's <c>ScanResponse</c>, catalogue §2.2).
/// Step 1: the immutable core floor runs its 6 passes first; any hit returns at once (scanner core_response, Critical, block).
/// Step 2: if enabled, the configured set runs the same 6 passes (scanner response_scan, High, the section's action).
/// Texts longer than <see cref="WindowChars"/> are scanned in overlapping windows so cost stays linear in the length,
/// and text beyond <see cref="InjectionOptions.MaxScanChars"/> is reported, not scanned. Thread-safe; build once.
/// </summary>
public sealed class InjectionScanner : IInjectionScanner
{
    /// <summary>Window size for long texts; consecutive windows overlap by <see cref="WindowOverlap"/> so a phrase on a seam is still seen whole.</summary>
    public const int WindowChars = 256 * 1024;

    public const int WindowOverlap = 4 * 1024;

    private readonly InjectionOptions _options;
    private readonly InjectionEngine _core;
    private readonly InjectionEngine? _main;

    // When every core regex is also in the configured set, a clean configured scan proves the core scan clean too
    // (same passes, same views), so clean text pays for one pipeline instead of two.
    private readonly bool _coreInMain;

    public InjectionScanner(InjectionOptions? options = null)
    {
        _options = options ?? InjectionOptions.Default;
        _core = new InjectionEngine(InjectionPatterns.Core);
        if (_options.Enabled)
        {
            var patterns = _options.EffectivePatterns();
            foreach (var p in patterns)
            {
                if (!InjectionPatterns.IsBuiltIn(p) && Text.Re2Regex.Validate(p.Regex) is { } error)
                    throw new ArgumentException($"response pattern '{p.Name}' does not compile: {error}", nameof(options));
            }
            _main = new InjectionEngine(patterns);
            var mainRegexes = patterns.Select(p => p.Regex).ToHashSet();
            _coreInMain = InjectionPatterns.Core.All(c => mainRegexes.Contains(c.Regex));
        }
    }

    public InjectionOptions Options => _options;

    public Verdict Scan(string text) => ScanDetailed(text).Verdict;

    public string? Strip(string text)
    {
        var result = ScanDetailed(text);
        if (result.Verdict.IsClean) return text;
        if (result.Content is null) return null;
        var spans = new List<(int Start, int Length, string Name)>();
        _core.CollectSpans(result.Content, spans);
        _main?.CollectSpans(result.Content, spans);
        if (spans.Count == 0) return null; // the detecting pass (leet, vowel fold, decoded) cannot be rewritten
        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var sb = new System.Text.StringBuilder(result.Content.Length);
        int pos = 0;
        foreach (var (start, length, name) in spans)
        {
            if (start < pos) continue; // overlaps a span already redacted
            sb.Append(result.Content, pos, start - pos).Append("[REDACTED: ").Append(name).Append(']');
            pos = start + length;
        }
        return sb.Append(result.Content, pos, result.Content.Length - pos).ToString();
    }

    private (Verdict Verdict, string? Content) ScanDetailed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return (Verdict.Clean, null);

        Finding? oversize = null;
        if (text.Length > _options.MaxScanChars)
        {
            oversize = new Finding(ScannerNames.ResponseScan, "Oversize Content", Severity.Medium, _options.Action,
                $"content of {text.Length} chars exceeds the {_options.MaxScanChars}-char scan limit; the rest was not scanned");
            text = text[.._options.MaxScanChars];
        }

        try
        {
            for (int start = 0; ; start += WindowChars - WindowOverlap)
            {
                int len = Math.Min(WindowChars, text.Length - start);
                var (verdict, content) = ScanWindow(text, start, len, oversize);
                if (!verdict.IsClean && (oversize is null || verdict.Findings.Length > 1))
                    return (verdict, start == 0 && len == text.Length ? content : null);
                if (start + len >= text.Length) return (oversize is null ? Verdict.Clean : Verdict.Of(oversize), null);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Only a pattern that cannot run non-backtracking can time out: fail closed, as Pipelock does on scan errors.
            return (Verdict.Of(new Finding(ScannerNames.ResponseScan, "Scan Error", Severity.High, ScanAction.Block,
                "pattern evaluation timed out; content could not be fully scanned")), null);
        }
    }

    /// <summary>Scans text[offset..offset+length] in place (no window copy).</summary>
    private (Verdict, string?) ScanWindow(string text, int offset, int length, Finding? extra)
    {
        int budget = 4 * Math.Max(length, 4096);
        Detection? mainHit = null;
        if (_coreInMain)
        {
            mainHit = _main!.Detect(text, offset, length, ref budget);
            if (mainHit is null) return (extra is null ? Verdict.Clean : Verdict.Of(extra), null);
            budget = 4 * Math.Max(length, 4096);
        }
        if (_core.Detect(text, offset, length, ref budget) is { } core)
            return (Build(core, ScannerNames.CoreResponse, Severity.Critical, ScanAction.Block, offset, extra), core.Content);
        if ((mainHit ?? _main?.Detect(text, offset, length, ref budget)) is { } hit)
            return (Build(hit, ScannerNames.ResponseScan, Severity.High, _options.Action, offset, extra), hit.Content);
        return (extra is null ? Verdict.Clean : Verdict.Of(extra), null);
    }

    /// <summary>
    /// Windowed scanning for callers that hold the text in pieces (a body decoded window by window into a pooled
    /// buffer): feed windows that overlap by at least <see cref="WindowOverlap"/> chars and read the combined verdict.
    /// <see cref="InjectionOptions.MaxScanChars"/> does not apply: nothing is held whole, so everything is scanned.
    /// </summary>
    public InjectionWindows BeginWindows() => new(this);

    /// <summary>One window through both groups, with the same gating as a whole-text scan; null where a group found nothing.</summary>
    internal (Detection? Core, Detection? Main) DetectWindow(ReadOnlySpan<char> window)
    {
        int budget = 4 * Math.Max(window.Length, 4096);
        Detection? mainHit = null;
        if (_coreInMain)
        {
            mainHit = _main!.Detect(window, null, ref budget);
            if (mainHit is null) return (null, null);
            budget = 4 * Math.Max(window.Length, 4096);
        }
        if (_core.Detect(window, null, ref budget) is { } core) return (core, mainHit);
        return (null, mainHit ?? _main?.Detect(window, null, ref budget));
    }

    private static Verdict Build(Detection d, string scanner, Severity severity, ScanAction action, int offset, Finding? extra)
    {
        var builder = ImmutableArray.CreateBuilder<Finding>(d.Matches.Count + 1);
        var seen = new HashSet<(string, int, string?)>();
        foreach (var m in d.Matches)
        {
            if (!seen.Add((m.Name, m.Position, m.Encoding))) continue;
            builder.Add(new Finding(scanner, m.Name, severity, action, m.Evidence, m.Position < 0 ? -1 : m.Position + offset, m.Encoding));
        }
        if (extra is not null) builder.Add(extra);
        return new Verdict(builder.ToImmutable());
    }
}
