using System.Diagnostics;
using System.Text.Json;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Injection;

namespace Pipelock.Bench;

/// <summary>
/// In-process baseline for the end-to-end batch load script (bench/jsonl-load.sh): reads the same JSONL file, builds the
/// scanner, then scans every record's text with as many threads as `pipelock check --jsonl` uses. Prints one line:
/// "kind=K bytes=N build_s=S scan_s=S mbps=M". The file is read before timing starts.
/// </summary>
internal static class BatchBaseline
{
    public static int Run(string kind, string path)
    {
        var texts = File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToArray();
        long bytes = texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t));
        var build = Stopwatch.StartNew();
        Func<string, object> scan;
        // Defaults (env secrets included), as the CLI uses them with no config.
        if (kind == "dlp") { var dlp = new DlpScanner(); scan = t => dlp.ScanText(t); }
        else if (kind == "injection") { var inj = new InjectionScanner(); scan = t => inj.Scan(t); }
        else throw new ArgumentException($"kind must be dlp or injection, not '{kind}'");
        build.Stop();
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(texts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, t => scan(t));
        sw.Stop();
        Console.WriteLine($"kind={kind} bytes={bytes} build_s={build.Elapsed.TotalSeconds:F2} scan_s={sw.Elapsed.TotalSeconds:F2} mbps={bytes / 1e6 / sw.Elapsed.TotalSeconds:F1}");
        return 0;
    }
}
