using Pipelock.Scanners.Dlp;
using Pipelock.Scanners.Tests.Support;
using Pipelock.Scanners.Verdicts;
using static Pipelock.Scanners.Tests.Dlp.SecretGen;

namespace Pipelock.Scanners.Tests.Dlp;

/// <summary>
/// The clean-text gate may only skip texts the full scan would pass: DlpScanner with and without the gate must agree on
/// every corpus record (and perturbed copies of it), and the gate must really skip ordinary prose.
/// </summary>
public sealed class CleanTextGateTests
{
    private static readonly Dictionary<string, string> Env = new() { ["DEPLOY_SECRET"] = "Zx9-" + "q7Lm" + "Wv3Rt8Kp2Ny5" };
    // Known values with non-token chars, so only the gate's keyword path (not its run threshold) can see them.
    private const string FileSecret = "F1le s3cret!" + "valu3:42";
    private const string Canary = "cnry!" + "7781:zz";
    private static readonly DlpOptions Options = new() { FileSecrets = [FileSecret], CanaryTokens = [new("cnry", Canary)] };
    private static readonly DlpScanner Gated = SecretGen.Scanner(Options, Env);
    private static readonly DlpScanner Full = SecretGen.Scanner(Options with { DisableCleanTextGate = true }, Env);

    private const string Prose =
        "The account balance was updated after the quarterly review and all transactions are listed below with their " +
        "categories. Please note that pending items may change before settlement completes today.\n";

    public static TheoryData<string> CorpusFiles() =>
        ["secrets.jsonl.gz", "agent_egress_bench.jsonl.gz", "pipelock_rules_fixtures.jsonl.gz", "injection.jsonl.gz", "mcp_tools.jsonl.gz", "shell.jsonl.gz"];

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void ScanText_GatedAndFull_AgreeOnEveryRecord(string file)
    {
        var rng = new Random(17);
        int total = 0;
        foreach (var r in SharedData.ReadCorpus(file))
        {
            foreach (var text in Variants(r.Text, rng))
            {
                total++;
                var full = Key(Full.ScanText(text));
                var gated = Key(Gated.ScanText(text));
                Assert.True(full == gated, $"{file} {r.Id}: full [{full}] gated [{gated}]");
            }
        }
        Assert.True(total > 0);
    }

    /// <summary>The record, then copies with line breaks and tabs inserted, case flipped, and embedded in prose.</summary>
    private static IEnumerable<string> Variants(string text, Random rng)
    {
        yield return text;
        if (text.Length > 2)
        {
            int cut = rng.Next(1, text.Length - 1);
            yield return string.Concat(text.AsSpan(0, cut), rng.Next(3) switch { 0 => "\n", 1 => "\r\n", _ => "\t" }, text.AsSpan(cut));
        }
        yield return text.ToUpperInvariant();
        yield return Prose + text + " " + Prose;
    }

    private static string Key(Verdict v) =>
        string.Join(";", v.Findings.Select(f => $"{f.Scanner}|{f.Rule}|{f.Encoding}").Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ProviderPatternsTests.Samples), MemberType = typeof(ProviderPatternsTests))]
    public void ScanText_SampleWrappedEveryTenChars_GatedAndFullAgree(string rule, string text)
    {
        // Wrapping leaves no long run in the line view, only in the joined one: the gate must judge those glued runs
        // exactly as the full scan reads them.
        var wrapped = string.Join('\n', text.Chunk(10).Select(c => new string(c)));
        var full = Key(Full.ScanText(wrapped));
        Assert.True(full == Key(Gated.ScanText(wrapped)), $"{rule}: full [{full}] gated [{Key(Gated.ScanText(wrapped))}]");
    }

    [Theory]
    [InlineData("AC", 32)]                                        // Twilio SID: a keyword-less rule with a hex class run
    [InlineData("gh" + "p_", 36)]                                 // GitHub: a long-run rule found by its keyword
    public void ScanText_SecretWrappedAcrossLines_StillFound(string prefix, int length)
    {
        var secret = prefix + R(new Random(4), prefix == "AC" ? HexLower : Alnum, length);
        var wrapped = "config: \n" + string.Join('\n', secret.Chunk(12).Select(c => new string(c))) + "\n end";   // spaces keep the joined token apart
        Assert.False(Gated.ScanText(wrapped).IsClean);
        Assert.Equal(Key(Full.ScanText(wrapped)), Key(Gated.ScanText(wrapped)));
    }

    [Fact]
    public void IsCandidate_ProseWrappedWithoutSpaces_IsSkipped()
    {
        // "transactions\nsettlement" joins to a 22-char token that nothing can read.
        Assert.False(GateOf(Gated).IsCandidate("all transactions\nsettlement completes today\nreport summary budget groceries"));
    }

    [Theory]
    [InlineData("leak " + FileSecret + " now")]
    [InlineData("leak F1le s3\ncret!valu3:42 now")]
    [InlineData("token " + Canary)]
    public void ScanText_KnownValues_GatedAndFullAgree(string text)
    {
        Assert.Equal(Key(Full.ScanText(text)), Key(Gated.ScanText(text)));
        Assert.False(Gated.ScanText(text).IsClean);
    }

    [Fact]
    public void IsCandidate_OrdinaryProse_IsSkipped()
    {
        // Without this the gate could say "candidate" for everything and the equivalence tests would still pass.
        var gate = GateOf(Gated);
        Assert.False(gate.IsCandidate(string.Concat(Enumerable.Repeat(Prose, 40))));
        Assert.False(gate.IsCandidate("Budget: groceries 120, rent 950, utilities 80 (paid on the 3rd). Savings went up."));
    }

    public static TheoryData<string, string> Candidates()
    {
        var r = new Random(3);
        return new TheoryData<string, string>
        {
            { "long token run", "see " + R(r, Alnum, 15) + " now" },
            { "digit cluster", "call 415 555 0199 12 today" },
            { "dotted token with inner dot and a long collapsed run", "host api.example.internal is up" },
            { "dotted token collapsing to a keyword", "see pass.word.list now" },
            { "dotted token with digits", "version 12345678.. shipped" },
            { "url escape", "name=%41lice" },
            { "hex-ish run", "bytes de:ad:be:ef:ca:fe:ba:be here" },
            { "assignment fragment", "my passcode is under the desk" },
            { "two-char fragment at the end", "the admin pw" },
            { "rule keyword", "-----BEGIN something" },
            { "keyword across a line break", "the sec\nret is" },
            { "known secret", "leak " + FileSecret + " now" },
            { "known secret across a line break", "leak " + FileSecret[..6] + "\n" + FileSecret[6..] + " now" },
            { "canary", "leak " + Canary + " here" },
            { "seed phrase", "words: " + Bip39(r, 12) + "\n" },
            { "non-ASCII", "caf\u00e9 au lait" },
        };
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void IsCandidate_DetectorPrecondition_IsCandidate(string why, string text) =>
        Assert.True(GateOf(Gated).IsCandidate(text), why);

    [Theory]
    [InlineData("a bad face")]                                   // hex-ish but far from 16 hex digits
    [InlineData("settlement. transactions.")]                    // dots only at token edges, long words
    [InlineData("the last paragraph.\nThe next one")]            // joined lines give "paragraph.The": nothing in it
    [InlineData("Dates 2026-11-25 and 14:30, amount 1,234.56")]  // digits, no 9-digit cluster
    [InlineData("abandon ability able about above absent absorb abstract absurd abuse access")]  // 11 list words
    public void IsCandidate_NearMiss_IsSkipped(string text) => Assert.False(GateOf(Gated).IsCandidate(text));

    [Fact]
    public void IsCandidate_LongTexts_CrossBlockRunsAndClustersFound()
    {
        // Shapes straddling the 64-char block boundaries.
        for (int offset = 50; offset < 70; offset++)
        {
            var pad = new string(' ', offset);
            Assert.True(GateOf(Gated).IsCandidate(pad + new string('a', 15) + " x"), $"run at {offset}");
            Assert.True(GateOf(Gated).IsCandidate(pad + "4111 1111 1 x"), $"cluster at {offset}");
            Assert.True(GateOf(Gated).IsCandidate(pad + "pa.sswordxy x"), $"dotted at {offset}");    // collapses to a keyword
        }
    }

    private static CleanTextGate GateOf(DlpScanner s) =>
        (CleanTextGate)typeof(DlpScanner).GetField("_gate", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(s)!;
}
