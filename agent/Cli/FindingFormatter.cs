using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>Prints a verdict for a person (one line per finding) or as JSON. Evidence is already redacted by the scanners.</summary>
internal static class FindingFormatter
{
    public static void WriteText(TextWriter w, Verdict v)
    {
        if (v.IsClean)
        {
            w.WriteLine("clean: no findings");
            return;
        }
        w.WriteLine($"{v.Findings.Length} finding{(v.Findings.Length == 1 ? "" : "s")} (action: {v.Action.ToWord()}, max severity: {Word(v.MaxSeverity)})");
        int i = 0;
        foreach (var f in v.Findings)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"  {++i}. [{Word(f.Severity)}] {f.Scanner} / {f.Rule}  action={(f.Informational ? "warn (informational)" : f.Action.ToWord())}");
            if (f.Evidence.Length > 0) sb.Append("  evidence=\"").Append(f.Evidence).Append('"');
            if (f.Position >= 0) sb.Append(CultureInfo.InvariantCulture, $"  at={f.Position}");
            if (f.Encoding is not null) sb.Append("  via=").Append(f.Encoding);
            if (f.Location is not null) sb.Append("  in=").Append(f.Location);
            w.WriteLine(sb.ToString());
        }
    }

    public static void WriteJson(TextWriter w, Verdict v, ScanKind kind, Carrier where)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("kind", kind.ToWord());
            j.WriteString("where", where.ToWord());
            j.WriteBoolean("flagged", !v.IsClean);
            j.WriteString("action", v.Action.ToWord());
            j.WriteStartArray("findings");
            foreach (var f in v.Findings)
            {
                j.WriteStartObject();
                j.WriteString("scanner", f.Scanner);
                j.WriteString("rule", f.Rule);
                j.WriteString("severity", Word(f.Severity));
                j.WriteString("action", f.Action.ToWord());
                j.WriteString("evidence", f.Evidence);
                j.WriteNumber("position", f.Position);
                if (f.Encoding is not null) j.WriteString("encoding", f.Encoding);
                if (f.Location is not null) j.WriteString("location", f.Location);
                j.WriteBoolean("informational", f.Informational);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.WriteLine(Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length));
    }

    public static string Word(Severity s) => s switch
    {
        Severity.Info => "info",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };
}
