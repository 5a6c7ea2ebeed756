namespace Pipelock.E2E.Tests.Kit;

/// <summary>Where the repository, the built <c>pipelock</c> executable and the shared reference directory are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory holding Pipelock.sln, found by walking up from the test assembly.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>
    /// <c>PIPELOCK_BIN</c> when set, else agent/bin/{Release|Debug}/net10.0/pipelock (of those that exist, the newest, so a
    /// stale Debug build never shadows the Release build just made, or the other way round).
    /// </summary>
    public static string AgentBinary
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PIPELOCK_BIN");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            var candidates = new[] { "Release", "Debug" }
                .Select(c => Path.Combine(Root, "agent", "bin", c, "net10.0", "pipelock"))
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList();
            return candidates.Count > 0
                ? candidates[0]
                : throw new FileNotFoundException(
                    $"no pipelock executable under {Path.Combine(Root, "agent", "bin")}/{{Release,Debug}}/net10.0; build the solution or set PIPELOCK_BIN");
        }
    }

    /// <summary>
    /// <c>PIPELOCK_SHARED_DIR</c> when set, else &lt;root&gt;/../shared; a git worktree sits one level deeper
    /// (/work/wt/name), so the nearest ancestor with a <c>shared</c> directory is taken when that does not exist.
    /// </summary>
    public static string SharedDir
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PIPELOCK_SHARED_DIR");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            var direct = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            if (Directory.Exists(direct)) return direct;
            for (var dir = Directory.GetParent(Root)?.Parent; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(candidate)) return candidate;
            }
            return direct;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipelock.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Pipelock.sln not found above " + AppContext.BaseDirectory);
    }
}
