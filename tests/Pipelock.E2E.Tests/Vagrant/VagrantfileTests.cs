using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Vagrant;

/// <summary>
/// The repository's <c>Vagrantfile</c> and its provisioning script, checked without a hypervisor: CI never boots the
/// VMs, but it can prove the Vagrantfile is valid and the script parses. Vagrant runs with its own home and machine
/// directory under a temporary directory (nothing is written to the repository or root's home) and with its version
/// check off (no network).
/// </summary>
public sealed class VagrantfileTests
{
    [Fact]
    public async Task VagrantValidate_IgnoringTheProvider_Passes()
    {
        var vagrant = HostSystem.FindTool("vagrant") ?? throw new InvalidOperationException(
            "vagrant is not on PATH: install it (Debian: apt-get install vagrant) to validate the Vagrantfile");
        var scratch = Directory.CreateTempSubdirectory("pipelock-vagrant-").FullName;
        try
        {
            var env = new Dictionary<string, string>
            {
                ["VAGRANT_HOME"] = Path.Combine(scratch, "home"),
                ["VAGRANT_DOTFILE_PATH"] = Path.Combine(scratch, "dotfile"),
                ["VAGRANT_CHECKPOINT_DISABLE"] = "1",
                ["VAGRANT_NO_COLOR"] = "1",
            };

            var result = await ProcessRunner.RunAsync(vagrant, ["validate", "--ignore-provider"], env,
                timeout: TimeSpan.FromMinutes(2), workingDirectory: RepoPaths.Root);

            Assert.True(result.ExitCode == 0, "vagrant validate --ignore-provider failed:\n" + result);
            Assert.True(string.IsNullOrWhiteSpace(result.Stderr), "vagrant validate wrote to stderr:\n" + result);
            Assert.Contains("Vagrantfile validated successfully", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task ProvisionScript_Parses()
    {
        var script = Path.Combine(RepoPaths.Root, "systemd", "provision.sh");
        Assert.True(File.Exists(script), script);

        var result = await ProcessRunner.RunAsync("bash", ["-n", script]);

        Assert.True(result.ExitCode == 0, "bash -n systemd/provision.sh:\n" + result);
        Assert.True(string.IsNullOrWhiteSpace(result.Stderr), "bash -n systemd/provision.sh:\n" + result);
    }
}
