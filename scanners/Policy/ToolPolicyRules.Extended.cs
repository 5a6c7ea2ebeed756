using System.Collections.Immutable;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

public static partial class ToolPolicyRules
{
    public static ImmutableArray<ToolPolicyRule> Extended { get; } = [];
}
