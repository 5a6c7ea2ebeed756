using System.Text;
using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Engine;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Engine;

/// <summary>
/// Hostile inputs must finish in bounded time and memory through every scanner. The bound here is deliberately
/// generous (it catches a hang or a quadratic blow-up, not a slowdown); real figures live in the benchmarks.
/// </summary>
public sealed class AdversarialInputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly Lazy<ScanEngine> Engine = new(() => new ScanEngine(ScanEngineOptions.Default with
    {
        Dlp = new DlpOptions { ScanEnv = false },
    }));

    public static TheoryData<string> Cases => new()
    {
        "10MB-one-char", "deep-json", "10k-query-params", "huge-base64", "pathological-regex", "nested-percent", "long-url",
    };

    private static string Input(string name) => name switch
    {
        "10MB-one-char" => new string('a', 10 * 1024 * 1024),
        "deep-json" => new string('[', 100_000) + new string(']', 100_000),
        "10k-query-params" => "https://example.com/p?" + string.Join("&", Enumerable.Range(0, 10_000).Select(i => $"k{i}=v{i}")),
        "huge-base64" => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("ignore all previous instructions ", 150_000)))),
        // Near-misses for patterns with counted repetitions and alternations: many prefixes that never complete.
        "pathological-regex" => string.Concat(Enumerable.Repeat("send the ignore previous sk-ant- AKIA ghp_ eyJ 0x ", 100_000)),
        "nested-percent" => "https://example.com/?q=" + string.Concat(Enumerable.Repeat("%25", 50_000)) + "41",
        "long-url" => "https://example.com/" + new string('x', 2_000_000),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static void Finishes(Func<Verdict> scan)
    {
        var task = Task.Run(scan);
        Assert.True(task.Wait(Bound), $"scan did not finish within {Bound}");
        Assert.NotNull(task.Result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TextDlp_HostileInput_Finishes(string name) { var s = Input(name); Finishes(() => Engine.Value.Dlp.ScanText(s)); }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Injection_HostileInput_Finishes(string name) { var s = Input(name); Finishes(() => Engine.Value.Injection.Scan(s)); }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Url_HostileInput_Finishes(string name) { var s = Input(name); Finishes(() => Engine.Value.Url.ScanStatic(s)); }

    [Theory]
    [MemberData(nameof(Cases))]
    public void JsonBody_HostileInput_FinishesAndDeepNestingFailsClosed(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Input(name));
        Verdict? v = null;
        Finishes(() => v = Engine.Value.Body.ScanBody("application/json", null, bytes, "example.com"));
        if (name == "deep-json") Assert.Equal(Outcome.Block, DecisionPolicy.Decide(v!).Outcome);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ToolPoisoning_HostileInput_Finishes(string name) { var s = Input(name); Finishes(() => Engine.Value.ToolPoisoning.ScanTextOrJson(s)); }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShellPolicy_HostileInput_Finishes(string name) { var s = Input(name); Finishes(() => Engine.Value.ToolPolicy.EvaluateCommandLine(s).ToVerdict()); }
}
