using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Tests.Support;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// Regression floor on the labelled dev corpus (records are read at test time, never copied). The floors sit a
/// little under the measured numbers so a change that loses detections or adds false positives fails here.
/// </summary>
public sealed class CorpusTests
{
    [Fact]
    public void ScanText_SecretsDevCorpus_RecallAndFprFloors()
    {
        var scanner = SecretGen.Scanner();
        int tp = 0, fn = 0, fp = 0, tn = 0;
        foreach (var r in SharedData.ReadCorpus("secrets.jsonl.gz"))
        {
            bool flagged = scanner.ScanText(r.Text).HasEnforceable;
            if (r.Malicious) { if (flagged) tp++; else fn++; }
            else { if (flagged) fp++; else tn++; }
        }
        double recall = (double)tp / (tp + fn), fpr = (double)fp / (fp + tn);
        Assert.True(recall >= 0.94, $"recall {recall:P2}");
        Assert.True(fpr <= 0.04, $"fpr {fpr:P2}");
    }
}
