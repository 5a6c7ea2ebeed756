using Pipelock.Agent.Config.Binding;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config;

/// <summary>
/// Loads a Pipelock YAML config. The text is parsed to YamlDotNet's representation model (so every node keeps its
/// line and column) and bound by hand, section by section, collecting every error instead of stopping at the first.
/// Empty file ⇒ defaults; multi-document ⇒ error; the root must be a mapping.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Hard cap on the config file size: a config is small, a 100 MB file is a mistake or an attack.</summary>
    public const int MaxConfigBytes = 4 * 1024 * 1024;

    /// <summary>Deepest mapping/list nesting accepted. Pipelock's schema needs 5; the cap keeps a hostile file from
    /// exhausting the stack in the (recursive) representation-model loader.</summary>
    public const int MaxDepth = 64;

    public static ConfigLoadResult LoadFile(string path)
    {
        var name = Path.GetFileName(path);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return Fail(name, "file not found: " + path);
            if (info.Length > MaxConfigBytes) return Fail(name, $"file is {info.Length} bytes; the limit is {MaxConfigBytes}");
            return LoadText(File.ReadAllText(path), name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(name, "cannot read file: " + e.Message);
        }
    }

    public static ConfigLoadResult LoadText(string yaml, string fileName = "<text>")
    {
        var ctx = new BindContext(fileName);
        if (yaml.Length > MaxConfigBytes)
        {
            ctx.Error(0, 0, "", $"config is {yaml.Length} characters; the limit is {MaxConfigBytes}");
            return new ConfigLoadResult(null, ctx.Errors, ctx.Warnings);
        }
        var stream = new YamlStream();
        try
        {
            if (TooDeep(yaml) is { } deep)
            {
                ctx.Error((int)deep.Line, (int)deep.Column, "", $"nesting deeper than {MaxDepth} levels");
                return new ConfigLoadResult(null, ctx.Errors, ctx.Warnings);
            }
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var message = Unwrap(e);
            if (message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase) && KeyAt(yaml, (int)e.Start.Line, (int)e.Start.Column) is { } key)
                ctx.Error((int)e.Start.Line, (int)e.Start.Column, key,
                    $"duplicate key \"{key}\"; keys must be unique (with Helm, extraConfig must not repeat a section the chart renders)");
            else
                ctx.Error((int)e.Start.Line, (int)e.Start.Column, "", "invalid YAML: " + message);
            return new ConfigLoadResult(null, ctx.Errors, ctx.Warnings);
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            ctx.Error(second, "", "multiple YAML documents are not allowed; put the whole config in one document");
            return new ConfigLoadResult(null, ctx.Errors, ctx.Warnings);
        }

        YamlMappingNode? root = null;
        if (stream.Documents.Count == 1)
        {
            var node = stream.Documents[0].RootNode;
            if (node is YamlMappingNode m) root = m;
            else if (!YamlSection.IsNull(node))
            {
                ctx.Error(node, "", $"the config must be a mapping of sections, got {YamlSection.Describe(node)}");
                return new ConfigLoadResult(null, ctx.Errors, ctx.Warnings);
            }
        }

        var config = TopLevelBinder.Bind(ctx, root);
        return new ConfigLoadResult(ctx.Errors.Count == 0 ? config : null, ctx.Errors, ctx.Warnings);
    }

    private static ConfigLoadResult Fail(string file, string message) =>
        new(null, [new ConfigError(file, 0, 0, "", message)], []);

    /// <summary>Walks the event stream (iterative, no recursion) and returns where nesting first exceeds <see cref="MaxDepth"/>.</summary>
    private static Mark? TooDeep(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxDepth) return parser.Current.Start;
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
        return null;
    }

    /// <summary>The plain key starting at a 1-based position, for YamlDotNet's duplicate-key error (which names no key).</summary>
    private static string? KeyAt(string yaml, int line, int column)
    {
        var lines = yaml.Split('\n');
        if (line < 1 || line > lines.Length || column < 1 || column > lines[line - 1].Length) return null;
        var rest = lines[line - 1][(column - 1)..];
        int colon = rest.IndexOf(':');
        return colon > 0 ? rest[..colon].Trim().Trim('"', '\'') : null;
    }

    private static string Unwrap(YamlException e)
    {
        Exception inner = e;
        while (inner.InnerException is YamlException ie) inner = ie;
        return inner.Message;
    }
}
