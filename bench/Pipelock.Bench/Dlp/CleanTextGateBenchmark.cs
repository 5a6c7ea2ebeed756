using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Dlp;

namespace Pipelock.Bench.Dlp;

/// <summary>
/// The clean-text gate's passes on 10 KB of prose, so a change to one pass shows where the time went:
/// plain prose, and the same prose wrapped without trailing spaces (line joining glues words into long tokens).
/// </summary>
[MemoryDiagnoser]
public class CleanTextGateBenchmark
{
    private CleanTextGate _gate = null!;
    private string _prose = "", _joined = "", _wrapped = "", _wrappedJoined = "";

    [GlobalSetup]
    public void Setup()
    {
        var dlp = new DlpScanner(new DlpOptions { ScanEnv = false });
        _gate = (CleanTextGate)typeof(DlpScanner).GetField("_gate", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(dlp)!;
        _prose = BenchData.Prose(10 * 1024);
        _joined = _prose.Replace("\n", "");
        // Every 12th space becomes a bare line break, as in text wrapped by an editor that drops the trailing space. Spaces
        // after a sentence's full stop stay: "end.\nNext" joins to a dotted token, which the gate still sends to the full
        // scan when its collapsed form is 15+ chars.
        var chars = _prose.Replace('\n', ' ').ToCharArray();
        for (int i = 1, spaces = 0; i < chars.Length; i++)
            if (chars[i] == ' ' && chars[i - 1] != '.' && ++spaces % 12 == 0) chars[i] = '\n';
        _wrapped = new string(chars);
        _wrappedJoined = _wrapped.Replace("\n", "");
        if (_gate.IsCandidate(_prose) || _gate.IsCandidate(_wrapped)) throw new InvalidOperationException("bench prose must pass the gate");
    }

    [Benchmark(Baseline = true)] public bool IsCandidate() => _gate.IsCandidate(_prose);
    [Benchmark] public bool Keywords() => _gate.HasKeyword(_joined);
    [Benchmark] public bool JoinedShapes() => _gate.JoinedShapes(_joined);
    [Benchmark] public bool LineShapes() => _gate.LineShapes(_prose);
    [Benchmark] public bool IsCandidateWrapped() => _gate.IsCandidate(_wrapped);
    [Benchmark] public bool GluedShapes() => _gate.GluedShapes(_wrappedJoined);
    [Benchmark] public bool LongRunKeywords() => _gate.HasLongRunKeyword(_wrappedJoined);
}
