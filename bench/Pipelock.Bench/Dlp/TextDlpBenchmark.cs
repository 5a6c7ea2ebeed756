using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Bench.Dlp;

/// <summary>Text DLP (the path bodies, headers and MCP arguments take). Throughput = bytes / mean time.</summary>
[MemoryDiagnoser]
public class TextDlpBenchmark
{
    private DlpScanner _dlp = null!;
    private string _clean10k = "", _clean1m = "", _secret10k = "";

    [GlobalSetup]
    public void Setup()
    {
        _dlp = new DlpScanner(new DlpOptions { ScanEnv = false });
        _clean10k = BenchData.Prose(10 * 1024);
        _clean1m = BenchData.Prose(1024 * 1024);
        _secret10k = _clean10k[..5000] + " token " + BenchData.GithubToken() + " " + _clean10k[5000..];
        _dlp.ScanText(_clean10k); // warm the lazily built state
    }

    [Benchmark(Baseline = true)] public Verdict Clean10KB() => _dlp.ScanText(_clean10k);
    [Benchmark] public Verdict Clean1MB() => _dlp.ScanText(_clean1m);
    [Benchmark] public Verdict WithSecret10KB() => _dlp.ScanText(_secret10k);
}
