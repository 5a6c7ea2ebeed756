using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Tests.Support;

namespace Pipelock.Scanners.Tests.Policy;

/// <summary>
/// Detection floor on the dev shell corpus (records are read at test time, never copied). The README prose lines of
/// the PayloadsAllTheThings source are labelled malicious but are English sentences, not commands, so recall is
/// measured without them; admin-destructive benign commands (legitimate but destructive) are outside the FPR budget.
/// Measured: recall 92.2 %, everyday FPR 2.99 % (67 of 69 from the 17 verbatim built-ins); the bound leaves room for
/// normaliser changes on main without hiding a real regression.
/// </summary>
public sealed class ShellCorpusTests
{
    [Fact]
    public void EvaluateCommandLine_DevCorpus_MeetsRecallAndFalsePositiveTargets()
    {
        int mal = 0, malHit = 0, ben = 0, benHit = 0;
        foreach (var r in SharedData.ReadCorpus("shell.jsonl.gz"))
        {
            if (r.Category == "shell/cmd_injection_readme" || r.Category.EndsWith("admin-destructive", StringComparison.Ordinal)) continue;
            bool hit = ToolPolicy.Default.EvaluateCommandLine(r.Text).Matched;
            if (r.Malicious) { mal++; if (hit) malHit++; }
            else { ben++; if (hit) benHit++; }
        }
        Assert.True(mal > 300 && ben > 2000, "corpus missing");
        Assert.True(malHit >= 0.90 * mal, $"recall {malHit}/{mal}");
        Assert.True(benHit <= 0.035 * ben, $"false positives {benHit}/{ben}");
    }
}
