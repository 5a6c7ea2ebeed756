using System.Collections.Immutable;

namespace Pipelock.Scanners.Verdicts;

/// <summary>
/// What every scanner returns. A clean verdict is the shared <see cref="Clean"/> instance so the
/// clean hot path allocates nothing.
/// </summary>
public sealed class Verdict
{
    public static readonly Verdict Clean = new(ImmutableArray<Finding>.Empty);

    public Verdict(ImmutableArray<Finding> findings) => Findings = findings.IsDefault ? ImmutableArray<Finding>.Empty : findings;

    public ImmutableArray<Finding> Findings { get; }

    /// <summary>No findings at all (informational ones included).</summary>
    public bool IsClean => Findings.IsEmpty;

    /// <summary>True when at least one non-informational finding exists.</summary>
    public bool HasEnforceable
    {
        get
        {
            foreach (var f in Findings)
                if (!f.Informational) return true;
            return false;
        }
    }

    /// <summary>The strictest action over all non-informational findings (None when clean).</summary>
    public ScanAction Action
    {
        get
        {
            var a = ScanAction.None;
            foreach (var f in Findings)
            {
                var fa = f.Informational ? ScanAction.Warn : f.Action;
                a = ScanActions.Stricter(a, fa);
            }
            return a;
        }
    }

    public Severity MaxSeverity
    {
        get
        {
            var s = Severity.Info;
            foreach (var f in Findings) if (f.Severity > s) s = f.Severity;
            return s;
        }
    }

    public static Verdict Of(Finding finding) => new(ImmutableArray.Create(finding));

    public static Verdict Of(IEnumerable<Finding> findings)
    {
        var arr = findings.ToImmutableArray();
        return arr.IsEmpty ? Clean : new Verdict(arr);
    }

    /// <summary>Combines verdicts, keeping findings in order and dropping exact duplicates (scanner, rule, encoding).</summary>
    public static Verdict Combine(params ReadOnlySpan<Verdict> verdicts)
    {
        ImmutableArray<Finding>.Builder? b = null;
        HashSet<(string, string, string?)>? seen = null;
        foreach (var v in verdicts)
        {
            if (v is null || v.IsClean) continue;
            b ??= ImmutableArray.CreateBuilder<Finding>();
            seen ??= new();
            foreach (var f in v.Findings)
                if (seen.Add((f.Scanner, f.Rule, f.Encoding))) b.Add(f);
        }
        return b is null ? Clean : new Verdict(b.ToImmutable());
    }

    public override string ToString() => IsClean ? "clean" : string.Join("; ", Findings.Select(f => $"{f.Scanner}/{f.Rule}({f.Severity},{f.Action.ToWord()})"));
}
