using System.Text;
using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Injection;

namespace Pipelock.Bench.Injection;

/// <summary>
/// A streamed response: 10 KB of prose as 64-byte SSE events, each scanned alone and with the tail of the previous
/// events (the cross-event window), so per-scan fixed costs dominate rather than throughput.
/// </summary>
[MemoryDiagnoser]
public class SseStreamBenchmark
{
    private InjectionScanner _scanner = null!;
    private byte[] _stream = [];

    [GlobalSetup]
    public void Setup()
    {
        _scanner = new InjectionScanner();
        var prose = BenchData.Prose(10 * 1024);
        var sb = new StringBuilder();
        for (int i = 0; i < prose.Length; i += 64) sb.Append("data: ").Append(prose.AsSpan(i, Math.Min(64, prose.Length - i))).Append("\n\n");
        _stream = Encoding.UTF8.GetBytes(sb.ToString());
        Stream10KB();
    }

    [Benchmark]
    public int Stream10KB()
    {
        var scanner = new SseEventScanner(_scanner);
        return scanner.Push(_stream).Count + scanner.Complete().Count;
    }
}
