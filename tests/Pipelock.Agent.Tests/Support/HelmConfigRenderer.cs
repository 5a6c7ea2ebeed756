using System.Text;
using System.Text.RegularExpressions;

namespace Pipelock.Agent.Tests.Support;

/// <summary>
/// Renders the <c>pipelock.yaml</c> block of Sure's Helm ConfigMap template (read from shared/ at test time) the way
/// Helm would with the template's own defaults: <c>{{ $var }}</c> takes the value of its <c>$var := …</c>
/// declaration, <c>| default "x"</c> takes x, and each top-level <c>{{- if … }}</c> block is dropped unless
/// <paramref name="blocks"/> supplies its rendering (keyed by a substring of the condition).
/// Only what this template uses is supported; anything else fails the test loudly.
/// </summary>
public static partial class HelmConfigRenderer
{
    public static string Render(IReadOnlyDictionary<string, string>? blocks = null)
    {
        var lines = File.ReadAllLines(SharedData.Fixture("sure-helm-pipelock-configmap.tpl.yaml"));
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var m = Declaration().Match(line);
            if (m.Success) defaults[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
        }

        int start = Array.FindIndex(lines, l => l.Trim() == "pipelock.yaml: |") + 1;
        Assert.True(start > 0, "template has no pipelock.yaml block");
        var sb = new StringBuilder();
        int depth = 0;
        for (int i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (depth > 0)
            {
                if (Opener().IsMatch(trimmed)) depth++;
                else if (trimmed == "{{- end }}") depth--;
                continue;
            }
            var cond = IfBlock().Match(trimmed);
            if (cond.Success)
            {
                depth = 1;
                foreach (var (key, rendered) in blocks ?? new Dictionary<string, string>())
                    if (cond.Groups[1].Value.Contains(key, StringComparison.Ordinal)) { sb.Append(rendered); break; }
                continue;
            }
            if (trimmed == "{{- end }}") continue; // closes the template-wide `if .Values.pipelock.enabled`
            var text = line.Length >= 4 ? line[4..] : line.TrimStart();
            text = Variable().Replace(text, m => defaults.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new InvalidOperationException("no default for $" + m.Groups[1].Value));
            text = DefaultPipe().Replace(text, m => m.Groups[1].Value);
            Assert.DoesNotContain("{{", text);
            sb.AppendLine(text);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^\{\{-\s*\$(\w+)\s*:=\s*(.+?)\s*-\}\}$")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^\{\{-?\s*(if|range|with)\b")]
    private static partial Regex Opener();

    [GeneratedRegex(@"^\{\{-?\s*if\s+(.+?)\s*\}\}$")]
    private static partial Regex IfBlock();

    [GeneratedRegex(@"\{\{\s*\$(\w+)\s*\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\{\s*\.Values\.[\w.]+\s*\|\s*default\s+""([^""]*)""\s*\}\}")]
    private static partial Regex DefaultPipe();
}
