namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// The self-contained build that <c>scripts/install.sh --from</c> installs, made once per test run by the installer's
/// own <c>--stage</c> step (about a minute), so the tests install exactly what an administrator would.
/// <c>PIPELOCK_E2E_STAGE</c> names a directory staged earlier, to skip the publish while iterating.
/// </summary>
public static class PublishedBuild
{
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<Task<string>> Stage = new(StageAsync);

    /// <summary>The directory holding the published <c>pipelock</c> and its runtime.</summary>
    public static Task<string> DirectoryAsync() => Stage.Value;

    private static async Task<string> StageAsync()
    {
        if (Environment.GetEnvironmentVariable("PIPELOCK_E2E_STAGE") is { Length: > 0 } given)
            return File.Exists(Path.Combine(given, "pipelock")) ? given : throw new DirectoryNotFoundException("PIPELOCK_E2E_STAGE has no pipelock: " + given);
        var dir = Path.Combine(Path.GetTempPath(), "pipelock-e2e-stage-" + Guid.NewGuid().ToString("N")[..10]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        var r = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "install.sh"), "--stage", dir], timeout: PublishTimeout)
            .ConfigureAwait(false);
        if (r.ExitCode != 0 || !File.Exists(Path.Combine(dir, "pipelock")))
            throw new InvalidOperationException("scripts/install.sh --stage failed: " + r);
        return dir;
    }
}
