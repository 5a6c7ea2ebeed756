using BenchmarkDotNet.Attributes;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Bench.Policy;

/// <summary>Tool-policy check of a shell command (de-obfuscation + rules).</summary>
[MemoryDiagnoser]
public class ToolPolicyBenchmark
{
    private ToolPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = new ToolPolicy(new ToolPolicyOptions { Enabled = true });
        _policy.EvaluateCommandLine("ls -la");
    }

    [Benchmark(Baseline = true)] public PolicyVerdict Everyday() => _policy.EvaluateCommandLine("find . -name '*.log' -mtime +7 -print | sort | head -50");
    [Benchmark] public PolicyVerdict Destructive() => _policy.EvaluateCommandLine("rm -rf /var/lib/app/cache");
    [Benchmark] public PolicyVerdict Obfuscated() => _policy.EvaluateCommandLine("x=r;y=m;$x$y ${IFS}-rf${IFS}/tmp/a");
}
