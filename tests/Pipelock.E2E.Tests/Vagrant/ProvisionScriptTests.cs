using Pipelock.E2E.Tests.Kit;
using Pipelock.E2E.Tests.Systemd;

namespace Pipelock.E2E.Tests.Vagrant;

/// <summary>
/// The Vagrant VM's provisioning script (systemd/provision.sh, server role) as far as it runs without a hypervisor:
/// in the systemd container of the service tests (no SDK, no internet), installing the build published for the test
/// run (<c>--from /stage</c>), without the test suite. What it cannot reach here (the SDK install, the build, the suite,
/// the public smoke-check site, the client VM) only a real `vagrant up` exercises.
/// </summary>
[Collection(SystemdCollection.Name)]
public sealed class ProvisionScriptTests
{
    private const string Script = "/src/systemd/provision.sh";

    [RootFact]
    public async Task ServerRole_InstallsTheServiceInLocalMode_ThenARerunKeepsTheConfig_AndItsSmokeCheckSeesPipelock()
    {
        await using var f = await ServiceFixture.StartAsync();
        var c = f.Container;

        var first = await c.ExecAsync(["bash", Script, "--from", "/stage", "--skip-tests", "--skip-smoke"], TimeSpan.FromMinutes(5));

        Assert.True(first.ExitCode == 0, "provision.sh failed:\n" + first);
        Assert.Contains("done: pipelock.service active in transparent local mode", first.Stdout, StringComparison.Ordinal);
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());
        var config = await c.MustAsync(["cat", ServiceFixture.Config]);
        Assert.Contains("mode: local", config, StringComparison.Ordinal);
        var rules = await c.MustAsync(["/opt/pipelock/pipelock", "rules", "status"]);
        Assert.Contains("redirect to :15001", rules, StringComparison.Ordinal);
        // The CA is in the system store, so this host's own intercepted clients trust it.
        var bundle = await c.MustAsync(["cat", "/etc/ssl/certs/ca-certificates.crt"]);
        var publicCa = (await c.MustAsync(["cat", ServiceFixture.PublicCa])).Trim();
        Assert.Contains(publicCa, bundle, StringComparison.Ordinal);

        // An administrator's edit in the same mode survives a re-run (here: the test upstream's CA and its 10/8
        // address allowed), and the smoke check then runs against the test's own upstream instead of a public site.
        await f.WriteConfigAsync(ServiceFixture.TestConfig("closed"));
        var second = await c.ExecAsync(["bash", Script, "--from", "/stage", "--skip-tests",
            "--smoke-url", "https://upstream.test/text?body=provision-smoke"], TimeSpan.FromMinutes(5));

        Assert.True(second.ExitCode == 0, "provision.sh re-run failed:\n" + second);
        Assert.Contains("upstream_ca_file", await c.MustAsync(["cat", ServiceFixture.Config]), StringComparison.Ordinal);
        Assert.Contains("ok: the certificate was issued by the Pipelock interception CA", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok: a request carrying a planted AWS-format key got HTTP 403", second.Stdout, StringComparison.Ordinal);
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());
    }

    [RootFact]
    public async Task ServerRole_WithAMissingBuild_FailsClearly_BeforeChangingAnything()
    {
        await using var f = await ServiceFixture.StartAsync();
        var c = f.Container;

        var r = await c.ExecAsync(["bash", Script, "--from", "/nonexistent", "--skip-tests", "--skip-smoke"]);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--from /nonexistent: no executable 'pipelock' there", r.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await c.ExecAsync(["test", "-e", "/opt/pipelock/pipelock"])).ExitCode);
    }
}
