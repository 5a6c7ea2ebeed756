using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Collects every error and warning of one load so the user sees them all at once.</summary>
internal sealed class BindContext(string file)
{
    /// <summary>Errors beyond this are counted, not listed: a broken or hostile file should not flood the terminal.</summary>
    public const int MaxErrors = 100;

    private int _suppressed;

    public string File { get; } = file;
    public List<ConfigError> Errors { get; } = [];
    public List<string> Warnings { get; } = [];

    public void Error(YamlNode? node, string keyPath, string message)
    {
        int line = node is null ? 0 : (int)node.Start.Line;
        int col = node is null ? 0 : (int)node.Start.Column;
        Error(line, col, keyPath, message);
    }

    public void Error(int line, int column, string keyPath, string message)
    {
        if (Errors.Count < MaxErrors) Errors.Add(new ConfigError(File, line, column, keyPath, message));
        else if (++_suppressed == 1) Errors.Add(new ConfigError(File, line, column, "", "too many errors; the rest are not shown"));
    }

    public void Warn(string message) => Warnings.Add($"{File}: {message}");
}
