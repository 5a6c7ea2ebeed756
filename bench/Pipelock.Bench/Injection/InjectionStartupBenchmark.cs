using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipelock.Scanners.Injection;

namespace Pipelock.Bench.Injection;

/// <summary>
/// Building a scanner (what a config load or reload pays) and its first scan. Regexes are built on first use, so
/// construction is keyword analysis and tables; each run is a cold start.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.ColdStart, launchCount: 1, warmupCount: 0, iterationCount: 5)]
public class InjectionStartupBenchmark
{
    private readonly string _clean = BenchData.Prose(10 * 1024);

    [Benchmark] public InjectionScanner Construct() => new();

    [Benchmark] public bool ConstructAndScanClean10KB() => new InjectionScanner().Scan(_clean).IsClean;
}
