using Pipelock.Scanners.Verdicts;

namespace Pipelock.Agent.Config;

/// <summary>One <c>tool_chain_detection.custom_patterns[]</c>: at least two categories, severity medium|high|critical.</summary>
public sealed record ChainPatternConfig(string Name, ValueList<string> Sequence, Severity Severity, ScanAction Action);
