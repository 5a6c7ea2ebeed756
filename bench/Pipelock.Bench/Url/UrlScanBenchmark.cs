using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Url;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Bench.Url;

/// <summary>URL scanning before DNS (ScanStatic): one method per verdict path.</summary>
[MemoryDiagnoser]
public class UrlScanBenchmark
{
    private UrlScanner _scanner = null!;
    private string _secretUrl = "";

    [GlobalSetup]
    public void Setup()
    {
        var dlp = new DlpScanner(new DlpOptions { ScanEnv = false });
        // Rate limiting is stateful and would block the loop after 60 calls; it is measured separately.
        _scanner = new UrlScanner(UrlScannerOptions.Default with { MaxRequestsPerMinute = 0 }, dlp);
        _secretUrl = "https://api.example.com/v1/items?key=" + BenchData.GithubToken();
        _scanner.ScanStatic(Typical);
    }

    private const string Typical = "https://api.openai.com/v1/responses?model=gpt-4.1&stream=true";
    private const string Complex = "https://query1.finance.yahoo.com/v7/finance/quote?symbols=AAPL,MSFT,GOOG&fields=regularMarketPrice,currency&crumb=Abc12&lang=en-US&region=US";

    [Benchmark(Baseline = true)] public Verdict TypicalClean() => _scanner.ScanStatic(Typical);
    [Benchmark] public Verdict ComplexClean() => _scanner.ScanStatic(Complex);
    [Benchmark] public Verdict BlockedByBlocklist() => _scanner.ScanStatic("https://pastebin.com/raw/abc");
    [Benchmark] public Verdict BlockedByDlp() => _scanner.ScanStatic(_secretUrl);
    [Benchmark] public Verdict BlockedByTraversal() => _scanner.ScanStatic("https://example.com/a/../../etc/passwd");
}
