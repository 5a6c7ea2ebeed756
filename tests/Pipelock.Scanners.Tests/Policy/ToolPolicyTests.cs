using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Pipelock.Scanners.Policy;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Tests.Policy;

public sealed class ToolPolicyTests
{
    private static readonly ToolPolicy BuiltIns = new(new ToolPolicyOptions { Enabled = true, ExtendedRules = false });

    private static PolicyVerdict Eval(ToolPolicy policy, string tool, string argsJson)
    {
        using var doc = JsonDocument.Parse(argsJson);
        return policy.Evaluate(tool, doc.RootElement);
    }

    [Theory]
    [InlineData("r\\\\m -rf /")]                          // r\m
    [InlineData("rm${IFS}-rf /")]
    [InlineData("r$'\\\\x6d' -rf /")]                      // $'\x6d'
    [InlineData("{rm,-rf,/}")]
    [InlineData("x=rm;$x -rf /")]
    [InlineData("r\u200Bm -rf /")]
    public void Evaluate_ObfuscatedDelete_IsBlocked(string command)
    {
        var v = Eval(BuiltIns, "bash", $"{{\"command\":\"{command}\"}}");
        Assert.Equal(ScanAction.Block, v.Action);
        Assert.Contains("Destructive File Delete", v.RuleNames);
    }

    [Theory]
    [InlineData("ex\u0435cute")]   // Cyrillic е: the shared confusable map folds it
    [InlineData("exec\u0443te")]   // Cyrillic у: only the policy pre-normaliser reads it as u
    [InlineData("\u0432ash")]      // Cyrillic в: only the policy pre-normaliser reads it as b
    [InlineData("ba\u200Bsh")]     // zero-width inside the name
    public void Evaluate_ConfusableToolName_StillAShellTool(string tool)
    {
        var v = Eval(BuiltIns, tool, """{"command":"rm -rf /"}""");
        Assert.Contains("Destructive File Delete", v.RuleNames);
    }

    [Fact]
    public void Evaluate_KeysAreNotArguments()
    {
        Assert.False(Eval(BuiltIns, "bash", """{"rm -rf /":"hello"}""").Matched);
    }

    [Fact]
    public void Evaluate_WordsSpreadOverValues_MatchAsPairs()
    {
        // Key order is arbitrary: {"flags":"-rf","cmd":"rm"} joins as "-rf rm", the pair "rm -rf" still matches.
        Assert.Contains("Destructive File Delete", Eval(BuiltIns, "bash", """{"flags":"-rf","cmd":"rm","target":"/"}""").RuleNames);
    }

    [Fact]
    public void Evaluate_NestedValues_AreScanned()
    {
        Assert.True(Eval(BuiltIns, "bash", """{"steps":[{"run":["echo hi", {"cmd":"cat ~/.aws/credentials"}]}]}""").Matched);
    }

    private static ToolPolicy ScopedPolicy(ScanAction action = ScanAction.Warn) => new(new ToolPolicyOptions
    {
        Enabled = true,
        ExtendedRules = false,
        Action = action,
        Rules = [new ToolPolicyRule("Prod Deploy", "^deploy$", argPattern: "(?i)prod", argKey: "^env$")],
    });

    [Theory]
    [InlineData("""{"env":"prod","note":"x"}""", true)]
    [InlineData("""{"env":{"name":["eu-prod"]}}""", true)]       // recursive under the matching key
    [InlineData("""{"env":"staging","note":"prod"}""", false)]   // value under another key is out of scope
    [InlineData("""{"config":{"env":"prod"}}""", false)]         // only top-level keys scope
    public void Evaluate_ArgKey_ScopesToMatchingTopLevelKeys(string args, bool expected) =>
        Assert.Equal(expected, Eval(ScopedPolicy(), "deploy", args).Matched);

    [Fact]
    public void Evaluate_RuleWithoutArgPattern_MatchesOnToolName()
    {
        var policy = new ToolPolicy(new ToolPolicyOptions { Enabled = true, ExtendedRules = false, Rules = [new ToolPolicyRule("No Deletes", "^delete_.*$", action: ScanAction.Block)] });
        Assert.Equal(ScanAction.Block, Eval(policy, "delete_repo", "{}").Action);
        Assert.False(Eval(policy, "list_repos", "{}").Matched);
    }

    [Fact]
    public void Evaluate_StrictestActionWins_AndRedirectProfileOnlyWhenRedirectWins()
    {
        var profile = new RedirectProfile("sandbox", ["/usr/bin/sandbox-run"], "run in sandbox", PreserveArgv: true);
        ToolPolicy Make(params ToolPolicyRule[] rules) => new(new ToolPolicyOptions
        {
            Enabled = true, ExtendedRules = false, Rules = [.. rules],
            RedirectProfiles = ImmutableDictionary<string, RedirectProfile>.Empty.Add("sandbox", profile),
        });
        var warn = new ToolPolicyRule("W", "^bash$", "curl", action: ScanAction.Warn);
        var redirect = new ToolPolicyRule("R", "^bash$", "curl", action: ScanAction.Redirect, redirectProfile: "sandbox");
        var block = new ToolPolicyRule("B", "^bash$", "curl", action: ScanAction.Block);
        const string args = """{"command":"curl https://example.org"}""";

        var v1 = Eval(Make(warn, redirect), "bash", args);
        Assert.Equal(ScanAction.Redirect, v1.Action);
        Assert.Same(profile, v1.RedirectProfile);
        Assert.Equal(["W", "R"], v1.RuleNames.ToArray());

        var v2 = Eval(Make(redirect, block), "bash", args);
        Assert.Equal(ScanAction.Block, v2.Action);
        Assert.Null(v2.RedirectProfile);
    }

    [Fact]
    public void Evaluate_RuleWithoutAction_UsesSectionAction()
    {
        Assert.Equal(ScanAction.Block, Eval(ScopedPolicy(ScanAction.Block), "deploy", """{"env":"prod"}""").Action);
        Assert.Equal(ScanAction.Warn, Eval(ScopedPolicy(), "deploy", """{"env":"prod"}""").Action);
    }

    [Fact]
    public void ToVerdict_CarriesPolicyFindings_WithShortEvidence()
    {
        var v = ToolPolicy.Default.EvaluateCommandLine("rm -rf /" + new string(' ', 10) + new string('a', 300)).ToVerdict();
        var f = Assert.Single(v.Findings, f => f.Rule == "Destructive File Delete");
        Assert.Equal(ScannerNames.ToolPolicy, f.Scanner);
        Assert.Equal(ScanAction.Block, f.Action);
        Assert.True(f.Severity >= Severity.High);
        Assert.StartsWith("rm -rf /", f.Evidence);
        Assert.True(f.Evidence.Length <= 101);
        Assert.Same(Verdict.Clean, ToolPolicy.Default.EvaluateCommandLine("ls -la").ToVerdict());
    }

    [Theory]
    [InlineData("""{"name":"bash","arguments":{"command":"rm -rf /"}}""", ScanAction.Block)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"bash","arguments":{"command":"rm -rf /"}}}""", ScanAction.Block)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"bash","arguments":{"command":"rm -rf /"}}}""", ScanAction.None)]
    [InlineData("""[{"name":"bash","arguments":{"command":"ls"}},{"name":"bash","arguments":{"command":"rm -rf /"}}]""", ScanAction.Block)]
    [InlineData("""{"name":"bash","arguments":{"command":"ls -la"}}""", ScanAction.None)]
    [InlineData("""{"name":"bash","arguments":""", ScanAction.Block)] // unparseable fails closed
    public void EvaluateToolCallJson_Shapes(string json, ScanAction expected) =>
        Assert.Equal(expected, ToolPolicy.Default.EvaluateToolCallJson(json).Action);

    [Fact]
    public void EvaluateToolCallJson_BatchCannotRedirect()
    {
        var policy = new ToolPolicy(new ToolPolicyOptions { Enabled = true, ExtendedRules = false, Rules = [new ToolPolicyRule("R", "^bash$", "curl", action: ScanAction.Redirect, redirectProfile: "p")] });
        Assert.Equal(ScanAction.Redirect, policy.EvaluateToolCallJson("""{"name":"bash","arguments":{"command":"curl x"}}""").Action);
        Assert.Equal(ScanAction.Block, policy.EvaluateToolCallJson("""[{"name":"bash","arguments":{"command":"curl x"}}]""").Action);
    }

    [Fact]
    public void EvaluateCommandLine_LoneSurrogate_DoesNotThrow()
    {
        Assert.True(ToolPolicy.Default.EvaluateCommandLine("rm -rf / \uD800").Matched);
    }

    [Fact]
    public void EvaluateCommandLine_MegabytePathological_FinishesAndSeesPayload()
    {
        // Constructs every stage expands, just under the cap, with the payload at the end: it must still be seen.
        var sb = new StringBuilder();
        while (sb.Length < (1 << 20) - 100) sb.Append("x=$x$x;{a,b}${IFS}$(printf %s a)\\").Append('\u200B');
        sb.Append(" ; rm -rf /");
        Assert.Contains("Destructive File Delete", ToolPolicy.Default.EvaluateCommandLine(sb.ToString()).RuleNames);
    }

    [Fact]
    public void EvaluateCommandLine_PastTheCap_FailsClosed()
    {
        var v = ToolPolicy.Default.EvaluateCommandLine(new string(' ', ShellDeobfuscator.MaxInputChars) + "rm -rf /");
        Assert.Equal(ScanAction.Block, v.Action);
        Assert.Contains(ToolPolicy.OversizeShell.Name, v.RuleNames);
    }
}
