using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>
/// Reads one YAML mapping by key name, reporting every problem with its position and key path, and remembers which
/// keys were asked for so <see cref="Done"/> can reject the rest (Pipelock is strict about unknown fields).
/// An absent or null section reads as all defaults.
/// </summary>
internal sealed partial class YamlSection
{
    private readonly BindContext _ctx;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlSection(BindContext ctx, string path, YamlMappingNode? map, YamlNode? anchor)
    {
        _ctx = ctx;
        Path = path;
        Anchor = map ?? anchor;
        Present = map is not null;
        if (map is null) return;
        List<YamlMappingNode>? merges = null;
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode ks || ks.Value is null)
            {
                ctx.Error(k, path, "keys must be plain strings");
                continue;
            }
            if (ks.Value == "<<" && ks.Style is ScalarStyle.Plain or ScalarStyle.Any)
            {
                CollectMerge(v, merges ??= []);
                continue;
            }
            if (!_entries.TryAdd(ks.Value, (ks, v)))
                ctx.Error(ks, Join(ks.Value), $"duplicate key \"{ks.Value}\" (already defined at line {_entries[ks.Value].Key.Start.Line})");
        }
        // YAML merge keys (`<<: *defaults`), as Go's yaml.v3 applies them: explicit keys win, earlier merges win.
        foreach (var m in merges ?? [])
            foreach (var (k, v) in m.Children)
                if (k is YamlScalarNode { Value: { } name } ks2) _entries.TryAdd(name, (ks2, v));
    }

    private void CollectMerge(YamlNode value, List<YamlMappingNode> into)
    {
        switch (value)
        {
            case YamlMappingNode m: into.Add(m); break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                    if (item is YamlMappingNode im) into.Add(im);
                    else _ctx.Error(item, Join("<<"), "merge key items must be mappings");
                break;
            default: _ctx.Error(value, Join("<<"), "merge key value must be a mapping or a list of mappings"); break;
        }
    }

    public string Path { get; }
    public bool Present { get; }
    /// <summary>Node errors about the section as a whole are reported at.</summary>
    public YamlNode? Anchor { get; }
    public BindContext Context => _ctx;

    public string Join(string key) => Path.Length == 0 ? key : Path + "." + key;

    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>Marks <paramref name="key"/> as known and returns its value node (null when absent or YAML null).</summary>
    public YamlNode? Node(string key)
    {
        _known.Add(key);
        if (!_entries.TryGetValue(key, out var e)) return null;
        return IsNull(e.Value) ? null : e.Value;
    }

    public YamlNode? KeyNode(string key) => _entries.TryGetValue(key, out var e) ? e.Key : null;

    public bool Has(string key) => Node(key) is not null;

    /// <summary>Declares keys that are accepted but not read (reserved or informational).</summary>
    public void Accept(params string[] keys)
    {
        foreach (var k in keys) _known.Add(k);
    }

    /// <summary>Reports every key that no accessor asked for, with a suggestion when one is close.</summary>
    public void Done()
    {
        foreach (var (name, (keyNode, _)) in _entries)
        {
            if (_known.Contains(name)) continue;
            var suggestion = KeySuggester.Suggest(name, _known);
            var hint = suggestion is not null
                ? $"did you mean \"{suggestion}\"?"
                : "allowed keys: " + string.Join(", ", _known.Order(StringComparer.Ordinal));
            _ctx.Error(keyNode, Join(name), $"unknown key \"{name}\"; {hint}");
        }
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Tag.IsEmpty &&
        (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public YamlSection Section(string key)
    {
        var node = Node(key);
        if (node is null) return new YamlSection(_ctx, Join(key), null, KeyNode(key) ?? Anchor);
        if (node is YamlMappingNode m) return new YamlSection(_ctx, Join(key), m, m);
        _ctx.Error(node, Join(key), $"must be a mapping (section), got {Describe(node)}");
        return new YamlSection(_ctx, Join(key), null, node);
    }

    /// <summary>Items of a list of mappings (e.g. rules[]); each item is its own strict section.</summary>
    public IEnumerable<YamlSection> Items(string key)
    {
        var node = Node(key);
        if (node is null) yield break;
        if (node is not YamlSequenceNode seq)
        {
            _ctx.Error(node, Join(key), $"must be a list, got {Describe(node)}");
            yield break;
        }
        int i = 0;
        foreach (var item in seq.Children)
        {
            var path = $"{Join(key)}[{i++}]";
            if (item is YamlMappingNode m) yield return new YamlSection(_ctx, path, m, m);
            else _ctx.Error(item, path, $"must be a mapping, got {Describe(item)}");
        }
    }

    /// <summary>Entries of a mapping keyed by user-chosen names (e.g. redirect_profiles).</summary>
    public IEnumerable<(string Name, YamlScalarNode KeyNode, YamlNode Value, string Path)> Entries(string key)
    {
        var section = Section(key);
        foreach (var (name, (kn, v)) in section._entries)
            yield return (name, kn, v, section.Join(name));
    }

    internal static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } s => $"the string \"{s.Value}\"",
        YamlScalarNode s => $"\"{s.Value}\"",
        _ => "an unsupported node",
    };

    internal static bool IsQuoted(YamlScalarNode s) => s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;

    internal static CultureInfo Inv => CultureInfo.InvariantCulture;
}
