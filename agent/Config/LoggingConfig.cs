namespace Pipelock.Agent.Config;

/// <summary><c>logging</c>: format json|text, output stdout|file|both (file/both need <see cref="File"/>).</summary>
public sealed record LoggingConfig
{
    public string Format { get; init; } = "json";
    public string Output { get; init; } = "stdout";
    public string File { get; init; } = "";
    public bool IncludeAllowed { get; init; } = true;
    public bool IncludeBlocked { get; init; } = true;
}
