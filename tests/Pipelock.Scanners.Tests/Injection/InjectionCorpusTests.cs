using Pipelock.Scanners.Injection;
using Pipelock.Scanners.Tests.Support;

namespace Pipelock.Scanners.Tests.Injection;

/// <summary>
/// Detection quality on the dev corpus (bipia, agentdojo, in-the-wild jailbreaks; notinject, MCP docs, benign bipia /
/// agentdojo). Floors sit a little under the measured numbers (defaults+extras: recall 55.9 %, FPR 0.13 %) so a
/// normaliser change on main does not flap the build, while a real regression still fails.
/// </summary>
public sealed class InjectionCorpusTests
{
    [Fact]
    public void Scan_DevCorpus_FalsePositiveRateAtMostOnePercent()
    {
        var scanner = new InjectionScanner();
        var benign = SharedData.ReadCorpus("injection.jsonl.gz").Where(r => !r.Malicious).ToList();
        int fp = benign.Count(r => !scanner.Scan(r.Text).IsClean);
        Assert.True(fp * 100 <= benign.Count, $"FPR {fp}/{benign.Count}");
    }

    [Fact]
    public void Scan_DevCorpus_RecallAboveFloor()
    {
        var scanner = new InjectionScanner();
        var malicious = SharedData.ReadCorpus("injection.jsonl.gz").Where(r => r.Malicious).ToList();
        int hits = malicious.Count(r => !scanner.Scan(r.Text).IsClean);
        Assert.True(hits * 100 >= malicious.Count * 50, $"recall {hits}/{malicious.Count}");
    }
}
