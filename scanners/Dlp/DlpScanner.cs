using Pipelock.Scanners.Text;
using System.Collections.Immutable;
using Pipelock.Scanners.Normalize;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Dlp;

/// <summary>
/// Text DLP (Pipelock's <c>ScanTextForDLP</c>, catalogue §1.6) plus the extended detectors. Construct once per
/// configuration (regexes compile once; env secrets are read at construction, as Pipelock does) and share: the
/// scanner is immutable and thread-safe.
/// </summary>
public sealed class DlpScanner : IDlpScanner
{
    public const string EnvLeakRule = "Environment Variable Leak";
    public const string FileLeakRule = "Known Secret Leak";

    /// <summary>Decoded characters one ScanText may produce across all layers (bounds huge base64 blobs).</summary>
    private const int DecodeBudget = 1 << 20;

    private readonly DlpOptions _options;
    private readonly PatternSet _core;
    private readonly PatternSet _main;
    private readonly KnownSecrets _known;
    private readonly SeedPhraseDetector? _seed;
    private readonly CleanTextGate? _gate;

    /// <summary>Patterns in force (core floor, defaults, extended, user), as /health reports them.</summary>
    public int PatternCount { get; }

    public DlpScanner(DlpOptions? options = null, IEnvironmentSource? environment = null)
    {
        _options = options ?? new DlpOptions();
        _core = new PatternSet(DlpPatterns.Core, !_options.DisableCleanTextGate);
        var coreNames = DlpPatterns.Core.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var main = new List<DlpPattern>();
        if (_options.IncludeDefaults) main.AddRange(DlpPatterns.Defaults.Where(p => !coreNames.Contains(p.Name)));
        // Regexes compile lazily (CompiledPattern), so a bad user pattern is rejected here rather than mid-scan.
        foreach (var p in _options.Patterns)
            if (Re2Regex.Validate(p.Regex) is { } error) throw new ArgumentException($"dlp pattern '{p.Name}': {error}", nameof(options));
        main.AddRange(_options.Patterns);
        if (_options.IncludeExtended)
        {
            main.AddRange(ProviderPatterns.Prefixed);
            main.AddRange(ContextPatterns.All);
            main.AddRange(SpecialPatterns.All);
        }
        _main = new PatternSet(main, !_options.DisableCleanTextGate);
        PatternCount = main.Count + DlpPatterns.Core.Count;

        var known = new List<(string, string, string, Severity, string)>();
        if (_options.ScanEnv)
            foreach (var (_, value) in EnvSecrets.Extract(environment ?? ProcessEnvironmentSource.Instance, _options.MinEnvSecretLength))
                known.Add((value, ScannerNames.Dlp, EnvLeakRule, Severity.Critical, "env"));
        foreach (var s in _options.FileSecrets)
            if (s.Length >= _options.MinEnvSecretLength) known.Add((s, ScannerNames.Dlp, FileLeakRule, Severity.Critical, "file"));
        foreach (var c in _options.CanaryTokens)
            if (!string.IsNullOrEmpty(c.Value)) known.Add((c.Value, ScannerNames.Canary, "Canary Token: " + c.Name, Severity.Critical, "canary"));
        _known = new KnownSecrets(known);
        _seed = _options.SeedPhraseDetection ? new SeedPhraseDetector(_options.SeedPhraseMinWords, _options.SeedPhraseVerifyChecksum) : null;
        _gate = _options.DisableCleanTextGate ? null : BuildGate();
    }

    /// <summary>
    /// The clean-text gate: keywords of the rules that can match without a long token run (the rest are caught by the
    /// run threshold), the assignment detector's key fragments and every form of the known secrets.
    /// </summary>
    private CleanTextGate BuildGate()
    {
        var all = _core.Patterns.Concat(_main.Patterns).ToList();
        int threshold = LayerDecoder.MinRun;
        foreach (var cp in all)
            if (cp.AlwaysRun && cp.MinRun > 0) threshold = Math.Min(threshold, cp.MinRun);
        var keywords = new List<string>();
        var longRunKeywords = new List<string>();
        foreach (var cp in all)
        {
            if (cp.AlwaysRun) continue;
            var target = cp.TokenRun >= threshold ? longRunKeywords : keywords;
            // Pattern keywords are searched in the line view too, where a line break reads as a space the joined view
            // lacks: only the part before any whitespace is certain to occur in both.
            foreach (var k in cp.Keywords)
            {
                int ws = k.AsSpan().IndexOfAny(" \t\r\n");
                target.Add(ws < 0 ? k : k[..ws]);
            }
        }
        if (_options.IncludeExtended) keywords.AddRange(AssignmentDetector.KeyFragments);
        keywords.AddRange(_known.Needles);
        return new CleanTextGate(keywords, threshold, _seed?.MinWords ?? 0, _options.MaxDecodeDepth > 0,
            longRunKeywords, all.Where(cp => cp.AlwaysRun));
    }

    public DlpOptions Options => _options;

    /// <inheritdoc />
    public Verdict ScanText(string text, string? destinationHost = null)
    {
        if (string.IsNullOrEmpty(text)) return Verdict.Clean;
        if (_gate is not null && !_gate.IsCandidate(text)) return Verdict.Clean;
        var norm = TextNormalizer.ForDlp(text);
        var lines = LinePreserving(text, norm);
        var findings = new List<Finding>();

        // Layers (URL-decoded, dot-collapsed, decoded runs up to depth 3) are computed once and shared by all passes.
        var layers = Layers(norm, lines);

        // 1) Core floor: a hit is final.
        MatchCore(norm, null, findings);
        // The joined view can glue a token to the next line ("…EXAMPLE\nAWS_…") and break its boundary: the core floor also
        // reads the line view.
        if (!ReferenceEquals(lines, norm)) MatchCore(lines, null, findings);
        foreach (var (t, tag) in layers) MatchCore(t, tag, findings);
        if (findings.Count > 0) return Dedup(findings);

        // 2) Seed phrases, before regex DLP so they win attribution.
        if (_seed is not null)
        {
            var f = MayHoldSeedPhrase(lines) ? _seed.Detect(lines) : null;
            if (f is null)
                foreach (var (t, tag) in layers)
                    if (MayHoldSeedPhrase(t) && (f = _seed.Detect(t, tag)) is not null) break;
            if (f is not null) findings.Add(f);
        }

        // 3) Patterns, extended detectors, known secrets and canaries on the text and every layer.
        MatchAll(norm, lines, destinationHost, null, findings);
        foreach (var (t, tag) in layers) MatchAll(t, t, destinationHost, tag, findings);
        return Dedup(findings);
    }

    /// <inheritdoc />
    public Verdict MatchTarget(string text, string? destinationHost = null, string? encoding = null)
    {
        if (string.IsNullOrEmpty(text)) return Verdict.Clean;
        var norm = TextNormalizer.ForDlp(text);
        var findings = new List<Finding>();
        MatchCore(norm, encoding, findings);
        if (findings.Count > 0) return Dedup(findings);
        MatchAll(norm, LinePreserving(text, norm), destinationHost, encoding, findings);
        return Dedup(findings);
    }

    private void MatchCore(string text, string? tag, List<Finding> sink) =>
        _core.Scan(text, TextFeatures.Of(text), host: null, tag, sink);

    private void MatchAll(string norm, string lines, string? host, string? tag, List<Finding> sink)
    {
        var f = TextFeatures.Of(norm);
        _main.Scan(norm, f, host, tag, sink);
        if (!ReferenceEquals(lines, norm))
        {
            // Line-preserving view for rules whose value ends at a line break (assignments, XML values).
            _main.Scan(lines, TextFeatures.Of(lines), host, tag, sink);
        }
        if (_options.IncludeExtended)
        {
            AssignmentDetector.Scan(lines, sink, tag);
            if (f.MaxRun >= 64) PemBodyDetector.Scan(lines, sink, tag);
        }
        if (!_known.IsEmpty) _known.Scan(norm, sink, tag);
    }

    /// <summary>URL-decoded text, dot-collapsed dotted tokens and decoded runs, recursively to MaxDecodeDepth.</summary>
    private List<(string Text, string Tag)> Layers(string norm, string lines)
    {
        var result = new List<(string, string)>();
        var decoder = new LayerDecoder(DecodeBudget);
        var collapsed = DotCollapse(norm);
        if (collapsed is not null) result.Add((collapsed, "subdomain"));

        var frontier = new List<(string Text, string Tag)> { (lines, "") };
        for (int depth = 0; depth < _options.MaxDecodeDepth && frontier.Count > 0 && !decoder.Exhausted; depth++)
        {
            var next = new List<(string, string)>();
            foreach (var (t, tag) in frontier)
            {
                var found = new List<(string Text, string Tag)>();
                if (_gate is null || _gate.MayHoldEncoding(t)) decoder.Decode(t, found);
                foreach (var (d, dtag) in found)
                {
                    var nd = TextNormalizer.ForDlp(d);
                    var outer = tag.Length == 0 ? dtag : tag;     // report the outermost encoding, as Pipelock does
                    result.Add((nd, outer));
                    next.Add((nd, outer));
                }
            }
            frontier = next;
        }
        return result;
    }

    private bool MayHoldSeedPhrase(string text) => _gate is null || _gate.MayHoldSeedPhrase(text);

    /// <summary>Dotted tokens with the dots removed ("sk-ant.AABB.CCDD.evil.com" → "sk-antAABBCCDDevilcom"), or null.</summary>
    private static string? DotCollapse(string s)
    {
        if (!s.Contains('.')) return null;
        System.Text.StringBuilder? sb = null;
        int i = 0;
        while (i < s.Length)
        {
            if (!IsDotToken(s[i])) { i++; continue; }
            int start = i, dots = 0;
            while (i < s.Length && IsDotToken(s[i])) { if (s[i] == '.') dots++; i++; }
            if (dots == 0 || i - start < 10) continue;
            sb ??= new System.Text.StringBuilder();
            if (sb.Length > 0) sb.Append(' ');
            foreach (char c in s.AsSpan(start, i - start)) if (c != '.') sb.Append(c);
            if (sb.Length > DecodeBudget) break;
        }
        return sb?.ToString();
    }

    /// <summary>A char of the dotted tokens DotCollapse rewrites (letters, digits, <c>. - _</c>).</summary>
    internal static bool IsDotToken(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

    /// <summary>ForDlp strips CR/LF/TAB (joining lines, as Pipelock does); this view keeps them as spaces.</summary>
    private static string LinePreserving(string text, string norm)
    {
        if (text.AsSpan().IndexOfAny('\n', '\r', '\t') < 0) return norm;
        if (TextNormalizer.IsAsciiText(text))
            return string.Create(text.Length, text, static (dst, src) =>
            {
                src.AsSpan().CopyTo(dst);
                dst.ReplaceAny(LineBreaks, ' ');
            });
        return TextNormalizer.ForDlp(text.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' '));
    }

    private static readonly System.Buffers.SearchValues<char> LineBreaks = System.Buffers.SearchValues.Create("\t\n\r");

    private static Verdict Dedup(List<Finding> findings)
    {
        if (findings.Count == 0) return Verdict.Clean;
        var seen = new HashSet<(string, string, string?)>();
        var b = ImmutableArray.CreateBuilder<Finding>(findings.Count);
        foreach (var f in findings)
            if (seen.Add((f.Scanner, f.Rule, f.Encoding))) b.Add(f);
        return new Verdict(b.ToImmutable());
    }
}
