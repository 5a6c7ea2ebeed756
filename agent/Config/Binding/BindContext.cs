using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Collects every error and warning of one load so the user sees them all at once.</summary>
internal sealed class BindContext(string file)
{
    public string File { get; } = file;
    public List<ConfigError> Errors { get; } = [];
    public List<string> Warnings { get; } = [];

    public void Error(YamlNode? node, string keyPath, string message)
    {
        int line = node is null ? 0 : (int)node.Start.Line;
        int col = node is null ? 0 : (int)node.Start.Column;
        Errors.Add(new ConfigError(File, line, col, keyPath, message));
    }

    public void Error(int line, int column, string keyPath, string message) =>
        Errors.Add(new ConfigError(File, line, column, keyPath, message));

    public void Warn(string message) => Warnings.Add($"{File}: {message}");
}
