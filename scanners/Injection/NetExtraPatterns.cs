namespace Pipelock.Scanners.Injection;

/// <summary>The "pipelock-net extras": general injection rules beyond Pipelock's 25 (enabled by default).</summary>
internal static class NetExtraPatterns
{
    public static readonly IReadOnlyList<InjectionPattern> All = [];
}
