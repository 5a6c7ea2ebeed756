using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Tests.Support;

namespace Pipelock.Scanners.Tests.Policy;

/// <summary>
/// Detection floor on the dev shell corpus (records are read at test time, never copied). The README prose lines of
/// the PayloadsAllTheThings source are labelled malicious but are English sentences, not commands: recall is asserted
/// with them (the Prose Passed to Shell rule) and, separately, on commands alone. Admin-destructive benign commands
/// (legitimate but destructive) are outside the FPR budget.
/// Measured: recall 98.0 % (commands alone 98.2 %), everyday FPR 2.99 % (67 of 69 from the 17 verbatim built-ins);
/// the bounds leave room for normaliser changes on main without hiding a real regression.
/// </summary>
public sealed class ShellCorpusTests
{
    [Fact]
    public void EvaluateCommandLine_DevCorpus_MeetsRecallAndFalsePositiveTargets()
    {
        int mal = 0, malHit = 0, prose = 0, proseHit = 0, ben = 0, benHit = 0;
        foreach (var r in SharedData.ReadCorpus("shell.jsonl.gz"))
        {
            if (r.Category.EndsWith("admin-destructive", StringComparison.Ordinal)) continue;
            bool hit = ToolPolicy.Default.EvaluateCommandLine(r.Text).Matched;
            if (r.Category == "shell/cmd_injection_readme") { prose++; if (hit) proseHit++; }
            else if (r.Malicious) { mal++; if (hit) malHit++; }
            else { ben++; if (hit) benHit++; }
        }
        Assert.True(mal > 300 && prose > 40 && ben > 2000, "corpus missing");
        Assert.True(malHit >= 0.95 * mal, $"recall on commands {malHit}/{mal}");
        Assert.True(malHit + proseHit >= 0.95 * (mal + prose), $"recall {malHit + proseHit}/{mal + prose}");
        Assert.True(benHit <= 0.035 * ben, $"false positives {benHit}/{ben}");
    }
}
