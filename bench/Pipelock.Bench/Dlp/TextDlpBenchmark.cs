using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Bench.Dlp;

/// <summary>Text DLP (the path bodies, headers and MCP arguments take). Throughput = bytes / mean time.</summary>
[MemoryDiagnoser]
public class TextDlpBenchmark
{
    private DlpScanner _dlp = null!;
    private string _clean10k = "", _clean1m = "", _secret10k = "", _json10k = "";
    private DlpScanner _ungated = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dlp = new DlpScanner(new DlpOptions { ScanEnv = false });
        _clean10k = BenchData.Prose(10 * 1024);
        _clean1m = BenchData.Prose(1024 * 1024);
        _secret10k = _clean10k[..5000] + " token " + BenchData.GithubToken() + " " + _clean10k[5000..];
        _json10k = BenchData.TransactionsJson(10 * 1024);
        _ungated = new DlpScanner(new DlpOptions { ScanEnv = false, DisableCleanTextGate = true });
        _dlp.ScanText(_clean10k); // warm the lazily built state
        _dlp.ScanText(_json10k);
        _ungated.ScanText(_clean10k);
    }

    [Benchmark(Baseline = true)] public Verdict Clean10KB() => _dlp.ScanText(_clean10k);
    [Benchmark] public Verdict Clean1MB() => _dlp.ScanText(_clean1m);
    [Benchmark] public Verdict WithSecret10KB() => _dlp.ScanText(_secret10k);
    /// <summary>Clean JSON with ids and URLs: the gate passes it to the full scan.</summary>
    [Benchmark] public Verdict CleanJson10KB() => _dlp.ScanText(_json10k);
    /// <summary>The same clean prose with the gate off: what the gate saves.</summary>
    [Benchmark] public Verdict Clean10KBUngated() => _ungated.ScanText(_clean10k);
}
