using System.Buffers;
using System.Collections.Immutable;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Body;

/// <summary>
/// Request body and header DLP (Pipelock's request_body_scanning, catalogue §1.9).
/// Body: 1 size cap → 2 undo Content-Encoding (capped) → 3 extract strings by media type → 4 scan each string, then
/// the "\n"-joined text in document order and sorted (secrets split across fields). Findings become body_dlp with the configured action;
/// core findings stay block; unparsable/oversize/undecodable bodies fail closed (body_parse, always block).
/// Headers: sensitive list or all-minus-ignore; each value, name+value (a secret split into the name), and the
/// joined headers (a secret split across headers).
/// </summary>
public sealed class RequestBodyScanner
{
    /// <summary>Strings shorter than this hold no credential alone; they are still covered by the joined scan.</summary>
    private const int MinIndividualLength = 8;

    private readonly BodyOptions _o;
    private readonly IDlpScanner _dlp;
    private readonly HashSet<string> _sensitive, _ignore;

    /// <exception cref="ArgumentException">Invalid options.</exception>
    public RequestBodyScanner(BodyOptions options, IDlpScanner dlp)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dlp);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid request body scanning options: " + string.Join("; ", errors), nameof(options));
        _o = options;
        _dlp = dlp;
        _sensitive = new HashSet<string>(options.SensitiveHeaders, StringComparer.OrdinalIgnoreCase);
        _ignore = new HashSet<string>(options.IgnoreHeaders, StringComparer.OrdinalIgnoreCase);
    }

    public BodyOptions Options => _o;

    public Verdict ScanBody(string? contentType, string? contentEncoding, ReadOnlySequence<byte> body, string? destinationHost)
    {
        if (!_o.Enabled) return Verdict.Clean;
        if (body.Length > _o.MaxBodyBytes) return TooLarge(body.Length);
        return ScanBody(contentType, contentEncoding, body.IsSingleSegment ? body.First : body.ToArray(), destinationHost);
    }

    public Verdict ScanBody(string? contentType, string? contentEncoding, ReadOnlyMemory<byte> body, string? destinationHost)
    {
        if (!_o.Enabled) return Verdict.Clean;
        // Step 1: bodies we cannot hold cannot be scanned: fail closed.
        if (body.Length > _o.MaxBodyBytes) return TooLarge(body.Length);
        // Step 2: undo Content-Encoding with the same cap on the output (decompression bombs).
        if (!ContentDecoder.TryDecode(contentEncoding, body, _o.MaxBodyBytes, out var decoded, out var error)) return Fail(error!);
        // Step 3: strings by media type; malformed structure fails closed.
        var extraction = BodyTextExtractor.Extract(contentType, decoded.Span, _o);
        if (extraction.Failed) return Fail(extraction.FailureReason!);
        // Step 4: each string, then the sorted join.
        return ScanStrings(extraction.Texts, extraction.Values, destinationHost);
    }

    /// <summary>
    /// Raw-text DLP on one piece of a body too large to hold (stream mode): no structure (a window of a JSON document
    /// does not parse), but the text path's encoded and split-secret handling within the piece. Findings carry this
    /// section's label and action, as <see cref="ScanBody(string?, string?, ReadOnlyMemory{byte}, string?)"/> gives them.
    /// </summary>
    public Verdict ScanRawText(string text, string? destinationHost)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!_o.Enabled) return Verdict.Clean;
        return Relabel(_dlp.ScanText(text, destinationHost), ScannerNames.BodyDlp, null);
    }

    public Verdict ScanHeaders(IEnumerable<KeyValuePair<string, string>> headers, string? destinationHost)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!_o.Enabled || !_o.ScanHeaders) return Verdict.Clean;
        List<Verdict>? parts = null;
        List<string>? joined = null;
        int n = 0;
        foreach (var (name, value) in headers)
        {
            if (++n > _o.MaxHeaders) break;
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(value)) continue;
            bool scan = _o.HeaderMode == HeaderScanMode.Sensitive ? _sensitive.Contains(name) || NamesACredential(name) : !_ignore.Contains(name);
            if (!scan) continue;
            (joined ??= new()).Add(value);
            var v = _dlp.ScanText(value, destinationHost);
            // "X-AKIAIOSFODNN7: EXAMPLE": a secret moved into the header name reassembles as name+value.
            if (v.IsClean && _o.HeaderMode == HeaderScanMode.All) v = _dlp.ScanText(name + value, destinationHost);
            if (!v.IsClean) (parts ??= new()).Add(Relabel(v, ScannerNames.HeaderDlp, name));
        }
        if (joined is { Count: > 1 })
        {
            // Wire order, "\n"-joined: normalisation drops the newline, so a secret cut across headers is whole again.
            var v = _dlp.ScanText(string.Join('\n', joined), destinationHost);
            if (!v.IsClean) (parts ??= new()).Add(Relabel(v, ScannerNames.HeaderDlp, "joined"));
        }
        return parts is null ? Verdict.Clean : Verdict.Combine(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parts));
    }

    /// <summary>
    /// Header names that say they carry a credential (PLAID-SECRET, X-Amz-Security-Token, X-Vendor-Api-Key) are scanned in
    /// sensitive mode too: the configured list names the common ones, but every API invents its own.
    /// </summary>
    private static bool NamesACredential(string name) =>
        name.AsSpan().IndexOfAny(CredentialNameParts) >= 0;

    private static readonly System.Buffers.SearchValues<string> CredentialNameParts = System.Buffers.SearchValues.Create(
        ["secret", "token", "apikey", "api-key", "api_key", "password", "passwd", "credential", "auth"], StringComparison.OrdinalIgnoreCase);

    private Verdict ScanStrings(IReadOnlyList<string> texts, IReadOnlyList<string> values, string? host)
    {
        var parts = new List<Verdict>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in texts)
        {
            if (t.Length < MinIndividualLength && texts.Count > 1 || !seen.Add(t)) continue;
            var v = _dlp.ScanText(t, host);
            if (!v.IsClean) parts.Add(Relabel(v, ScannerNames.BodyDlp, null));
        }
        if (texts.Count > 1)
        {
            // Values in document order reassemble a secret split across adjacent fields; Pipelock's sorted join of
            // everything (its maps have no order) is kept too, when it differs, for parity.
            if (values.Count > 1)
            {
                var v = _dlp.ScanText(string.Join('\n', values), host);
                if (!v.IsClean) parts.Add(Relabel(v, ScannerNames.BodyDlp, "joined"));
            }
            var sorted = texts.Order(StringComparer.Ordinal).ToArray();
            if (!sorted.SequenceEqual(values))
            {
                var v = _dlp.ScanText(string.Join('\n', sorted), host);
                if (!v.IsClean) parts.Add(Relabel(v, ScannerNames.BodyDlp, "joined"));
            }
        }
        return parts.Count == 0 ? Verdict.Clean : Verdict.Combine(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parts));
    }

    /// <summary>Body/header findings carry this section's label and action; core findings and warn-only patterns keep theirs.</summary>
    private Verdict Relabel(Verdict v, string label, string? location)
    {
        if (v.IsClean) return v;
        var b = ImmutableArray.CreateBuilder<Finding>(v.Findings.Length);
        foreach (var f in v.Findings)
        {
            if (f.Scanner == ScannerNames.CoreDlp) { b.Add(f with { Location = f.Location ?? location }); continue; }
            var action = f.Informational ? f.Action : _o.Action;
            b.Add(f with { Scanner = label, Action = action, Location = f.Location ?? location });
        }
        return new Verdict(b.MoveToImmutable());
    }

    private Verdict TooLarge(long length) => Fail($"body of {length} bytes exceeds max_body_bytes {_o.MaxBodyBytes}");

    private static Verdict Fail(string reason) =>
        Verdict.Of(new Finding(ScannerNames.BodyParse, reason, Severity.High, ScanAction.Block, Redaction.Excerpt(reason)));
}
