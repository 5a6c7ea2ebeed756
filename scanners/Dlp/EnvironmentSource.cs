namespace Pipelock.Scanners.Dlp;

/// <summary>Where env-var secrets come from; injectable so tests pass a dictionary instead of the process environment.</summary>
public interface IEnvironmentSource
{
    IEnumerable<KeyValuePair<string, string>> Read();
}

/// <summary>The process environment, read once at scanner construction (as Pipelock does; re-read on reload).</summary>
public sealed class ProcessEnvironmentSource : IEnvironmentSource
{
    public static readonly ProcessEnvironmentSource Instance = new();

    public IEnumerable<KeyValuePair<string, string>> Read()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) yield return new(k, v);
    }
}

/// <summary>A fixed set of variables (tests, or a config-provided environment).</summary>
public sealed class DictionaryEnvironmentSource(IReadOnlyDictionary<string, string> vars) : IEnvironmentSource
{
    public IEnumerable<KeyValuePair<string, string>> Read() => vars;
}
