using Pipelock.Scanners.Verdicts;
using System.Text;
using System.Text.Json;

namespace Pipelock.Agent.Cli.Simulation;

/// <summary>Runs the scenarios through a scanner and prints the pass/gap table (or JSON). A scenario passes when the expected scanner fires.</summary>
public static class SimulationRunner
{
    public static IReadOnlyList<SimulationOutcome> Run(IEnumerable<SimulationScenario> scenarios, ICarrierScanner scanner) =>
        scenarios.Select(s =>
        {
            var v = scanner.Scan(s.Kind, s.Carrier, s.Input);
            var got = v.Findings.Select(f => f.Scanner).Distinct().ToList();
            return new SimulationOutcome(s, got, got.Any(g => Matches(g, s.ExpectedScanner)));
        }).ToList();

    /// <summary>A hit by the immutable core floor counts for its family: core_dlp for dlp, core_response for response_scan, core_ssrf for ssrf.</summary>
    public static bool Matches(string got, string expected) =>
        got == expected || got == "core_" + expected || (expected == ScannerNames.ResponseScan && got == ScannerNames.CoreResponse);

    public static void WriteTable(TextWriter w, IReadOnlyList<SimulationOutcome> outcomes)
    {
        int idW = Math.Max(8, outcomes.Max(o => o.Scenario.Id.Length));
        int expW = Math.Max(8, outcomes.Max(o => o.Scenario.ExpectedScanner.Length));
        w.WriteLine($"{"SCENARIO".PadRight(idW)}  {"CATEGORY",-14}  {"EXPECTED".PadRight(expW)}  {"GOT",-30}  RESULT");
        foreach (var o in outcomes)
        {
            var got = o.Got.Count == 0 ? "-" : string.Join(",", o.Got);
            w.WriteLine($"{o.Scenario.Id.PadRight(idW)}  {o.Scenario.Category,-14}  {o.Scenario.ExpectedScanner.PadRight(expW)}  {got,-30}  {(o.Passed ? "PASS" : "GAP")}");
        }
        int passed = outcomes.Count(o => o.Passed);
        w.WriteLine();
        w.WriteLine($"{passed}/{outcomes.Count} scenarios detected, {outcomes.Count - passed} gap{(outcomes.Count - passed == 1 ? "" : "s")}");
    }

    public static void WriteJson(TextWriter w, IReadOnlyList<SimulationOutcome> outcomes)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("total", outcomes.Count);
            j.WriteNumber("passed", outcomes.Count(o => o.Passed));
            j.WriteNumber("gaps", outcomes.Count(o => !o.Passed));
            j.WriteStartArray("scenarios");
            foreach (var o in outcomes)
            {
                j.WriteStartObject();
                j.WriteString("id", o.Scenario.Id);
                j.WriteString("name", o.Scenario.Name);
                j.WriteString("category", o.Scenario.Category);
                j.WriteString("where", o.Scenario.Carrier.ToWord());
                j.WriteString("kind", o.Scenario.Kind.ToWord());
                j.WriteString("expected", o.Scenario.ExpectedScanner);
                j.WriteStartArray("got");
                foreach (var g in o.Got) j.WriteStringValue(g);
                j.WriteEndArray();
                j.WriteString("result", o.Passed ? "pass" : "gap");
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }
}
