using System.Collections.Immutable;
using System.Text.Json;
using Pipelock.Scanners.Verdicts;

namespace Pipelock.Scanners.Policy;

/// <summary>
/// MCP tool-call policy (<c>mcp_tool_policy</c>, catalogue §3.8). Immutable and thread-safe: build once per config
/// snapshot. A rule applies when its tool regex matches the tool name (policy or baseline view) and, if it has an
/// argument regex, that regex matches the de-obfuscated argument values (see <see cref="PolicyArgumentViews"/>).
/// </summary>
public sealed class ToolPolicy
{
    /// <summary>Tool name used for bare command lines (<c>pipelock check --kind shell</c>).</summary>
    public const string CommandLineTool = "bash";

    private readonly ImmutableArray<ToolPolicyRule> _rules;

    public ToolPolicy(ToolPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _rules = options.Enabled ? options.EffectiveRules : [];
    }

    /// <summary>Enabled, section action warn, the 17 built-ins plus the extended set. A disabled section evaluates nothing.</summary>
    public static ToolPolicy Default { get; } = new(new ToolPolicyOptions { Enabled = true });

    public ToolPolicyOptions Options { get; }

    public ImmutableArray<ToolPolicyRule> Rules => _rules;

    /// <summary>Checks one tool call; <paramref name="arguments"/> is <c>params.arguments</c> (any JSON kind).</summary>
    public PolicyVerdict Evaluate(string toolName, JsonElement arguments)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return EvaluateCore(toolName, arguments, ToolArguments.AllValues(arguments));
    }

    /// <summary>
    /// Checks a call when only the argument values are known. Rules with <c>arg_key</c> are skipped (they need the
    /// structure), as in Pipelock.
    /// </summary>
    public PolicyVerdict EvaluateValues(string toolName, IReadOnlyList<string> argumentValues)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        ArgumentNullException.ThrowIfNull(argumentValues);
        return EvaluateCore(toolName, null, argumentValues);
    }

    /// <summary>A bare shell command, checked as a call to the <c>bash</c> tool with <c>{"command": commandLine}</c>.</summary>
    public PolicyVerdict EvaluateCommandLine(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        // Lone surrogates cannot be written as JSON; UTF-8 round-tripping turns them into U+FFFD.
        if (HasLoneSurrogate(commandLine))
            commandLine = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(commandLine));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(commandLine.Length + 16);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("command", commandLine);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return Evaluate(CommandLineTool, doc.RootElement);
    }

    /// <summary>
    /// A tool call as JSON: <c>{"name":…,"arguments":{…}}</c>, a JSON-RPC <c>tools/call</c> request, or a batch of
    /// them (per element, strictest wins; a batch cannot be redirected, so redirect becomes block). Other methods are
    /// not tool calls and pass. Unparseable JSON fails closed.
    /// </summary>
    public PolicyVerdict EvaluateToolCallJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = ToolArguments.MaxDepth });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array) return EvaluateCallElement(root);
            var merged = PolicyVerdict.NoMatch;
            foreach (var item in root.EnumerateArray()) merged = Merge(merged, EvaluateCallElement(item));
            return merged.Action == ScanAction.Redirect
                ? new PolicyVerdict(merged.MatchedRules, ScanAction.Block, null, merged.Command, Options.Action, merged.Error)
                : merged;
        }
        catch (JsonException e)
        {
            return new PolicyVerdict([], ScanAction.Block, null, "", Options.Action, "invalid tool-call JSON: " + e.Message);
        }
    }

    private PolicyVerdict EvaluateCallElement(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return PolicyVerdict.NoMatch;
        if (e.TryGetProperty("method", out var method))
        {
            if (method.ValueKind != JsonValueKind.String || method.GetString() != "tools/call") return PolicyVerdict.NoMatch;
            if (!e.TryGetProperty("params", out e) || e.ValueKind != JsonValueKind.Object) return PolicyVerdict.NoMatch;
        }
        if (!e.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) return PolicyVerdict.NoMatch;
        var args = e.TryGetProperty("arguments", out var a) ? a : default;
        return Evaluate(name.GetString()!, args);
    }

    private PolicyVerdict EvaluateCore(string toolName, JsonElement? arguments, IReadOnlyList<string> values)
    {
        if (_rules.IsEmpty) return PolicyVerdict.NoMatch;
        var policyName = PolicyText.Prepare(toolName, ShellViewKind.Policy);
        var baselineName = PolicyText.Prepare(toolName, ShellViewKind.Baseline);

        PolicyArgumentViews? all = null;
        Dictionary<string, PolicyArgumentViews>? keyed = null;
        ImmutableArray<ToolPolicyRule>.Builder? matched = null;
        var strictest = ScanAction.None;
        string? redirectName = null;
        string command = "";

        foreach (var rule in _rules)
        {
            if (!rule.ToolRegex.IsMatch(policyName) && !rule.ToolRegex.IsMatch(baselineName)) continue;
            if (rule.ArgRegex is not null)
            {
                PolicyArgumentViews views;
                if (rule.ArgKeyRegex is not null)
                {
                    if (arguments is not { } raw) continue;
                    // Rules sharing an arg_key (the extended command-shape rules) share one de-obfuscation.
                    keyed ??= new Dictionary<string, PolicyArgumentViews>(StringComparer.Ordinal);
                    if (!keyed.TryGetValue(rule.ArgKey!, out views!))
                    {
                        // Usually the command is the only argument: then the keyed values are all values, already viewed.
                        var under = ToolArguments.ValuesUnderKeys(raw, rule.ArgKeyRegex);
                        keyed[rule.ArgKey!] = views = under.SequenceEqual(values, StringComparer.Ordinal)
                            ? all ??= new PolicyArgumentViews(values)
                            : new PolicyArgumentViews(under);
                    }
                }
                else views = all ??= new PolicyArgumentViews(values);
                if (views.IsEmpty || !views.Matches(rule.ArgRegex, rule.WholeCommandOnly)) continue;
                if (command.Length == 0) command = views.Primary.Joined;
            }

            (matched ??= ImmutableArray.CreateBuilder<ToolPolicyRule>()).Add(rule);
            var action = rule.EffectiveAction(Options.Action);
            var before = strictest;
            strictest = ScanActions.Stricter(strictest, action);
            if (strictest != before && action == ScanAction.Redirect) redirectName = rule.RedirectProfile;
        }

        // Argument text past the scan cap is never examined, so a shell command that long (padding in front of the
        // payload) fails closed instead of passing unseen. File tools legitimately carry large contents.
        // Likewise when de-obfuscation gave up part-way (thousands of substitutions): what is left may hide the command.
        if (OversizeShell.ToolRegex.IsMatch(policyName) || OversizeShell.ToolRegex.IsMatch(baselineName))
        {
            if (TotalChars(values) > ShellDeobfuscator.MaxInputChars) (matched ??= ImmutableArray.CreateBuilder<ToolPolicyRule>()).Add(OversizeShell);
            else if (all is not null && all.Primary.Saturated) (matched ??= ImmutableArray.CreateBuilder<ToolPolicyRule>()).Add(SaturatedShell);
            if (matched is not null && (matched.Contains(OversizeShell) || matched.Contains(SaturatedShell))) strictest = ScanAction.Block;
        }

        if (matched is null) return PolicyVerdict.NoMatch;
        if (command.Length == 0) command = toolName;
        if (strictest != ScanAction.Redirect) redirectName = null;
        var profile = redirectName is not null && Options.RedirectProfiles.TryGetValue(redirectName, out var p) ? p : null;
        return new PolicyVerdict(matched.ToImmutable(), strictest, profile, command, Options.Action, null, redirectName);
    }

    /// <summary>Reported when a shell tool's arguments exceed <see cref="ShellDeobfuscator.MaxInputChars"/>.</summary>
    public static ToolPolicyRule OversizeShell { get; } =
        ToolPolicyRules.BuiltIn("Oversize Shell Arguments", ToolPolicyRules.ShellTools, action: ScanAction.Block, severity: Severity.High);

    /// <summary>Reported when de-obfuscating a shell tool's arguments hit <see cref="ShellDeobfuscator.MaxSubstitutions"/>.</summary>
    public static ToolPolicyRule SaturatedShell { get; } =
        ToolPolicyRules.BuiltIn("Excessive Shell Obfuscation", ToolPolicyRules.ShellTools, action: ScanAction.Block, severity: Severity.High);

    private static long TotalChars(IReadOnlyList<string> values)
    {
        long n = 0;
        foreach (var v in values) n += v.Length;
        return n;
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }

    private static PolicyVerdict Merge(PolicyVerdict a, PolicyVerdict b)
    {
        if (!b.Matched) return a;
        if (!a.Matched) return b;
        var rules = a.MatchedRules.AddRange(b.MatchedRules.Where(r => !a.MatchedRules.Contains(r)));
        var action = ScanActions.Stricter(a.Action, b.Action);
        var winner = b.Action > a.Action ? b : a;
        return new PolicyVerdict(rules, action, winner.RedirectProfile, winner.Command, a.SectionAction, a.Error ?? b.Error, winner.RedirectProfileName);
    }
}
