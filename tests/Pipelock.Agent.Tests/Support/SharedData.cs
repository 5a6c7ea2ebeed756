namespace Pipelock.Agent.Tests.Support;

/// <summary>
/// Locates <c>shared/</c> (reference fixtures) beside the repository, like the scanner tests do: CI has a copy of
/// shared/ next to the clone, developers have it at ../shared; PIPELOCK_SHARED overrides. Fixtures are read at test
/// time and never copied into the repo.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("PIPELOCK_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "reference", "fixtures"))) return candidate;
        }
        return null;
    }

    public static string Fixture(string name) =>
        Path.Combine(Root ?? throw new InvalidOperationException("shared/ not found beside the repository; set PIPELOCK_SHARED"), "reference", "fixtures", name);
}
