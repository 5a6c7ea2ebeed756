using Pipelock.Agent.Config;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Cli;

/// <summary>
/// The single place where the scanners are composed from a <see cref="PipelockConfig"/> (each scanner gets its
/// narrow options record derived from the config here, never the config itself).
/// </summary>
public static class ScanServices
{
    /// <summary>
    /// TODO(integrator): build the real scanners here and return an <see cref="ICarrierScanner"/> that dispatches on
    /// (kind, carrier): Url → URL pipeline; Dlp → text DLP (+ seed phrase, canaries) on the decoded carrier;
    /// Injection → response scanning (SSE split per event, MCP results per content block); ToolPoisoning →
    /// tools/list scanning; Shell → MCP tool policy (built-in rules when <c>McpToolPolicy.UseBuiltInRules</c>);
    /// All → every scanner that applies to the carrier, combined with <c>Verdict.Combine</c>.
    /// Until then every scan fails with <see cref="ScannerUnavailableException"/> (exit 2), never a false "clean".
    /// </summary>
    public static ICarrierScanner CreateScanner(PipelockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new UnwiredScanner();
    }

    private sealed class UnwiredScanner : ICarrierScanner
    {
        public Verdict Scan(ScanKind kind, Carrier where, string text) =>
            throw new ScannerUnavailableException("the scanners are not wired into this build yet (ScanServices.CreateScanner); only config checks, generate and version work");
    }
}
