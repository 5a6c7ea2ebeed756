using System.Text.Json;
using Pipelock.E2E.Tests.Kit;

namespace Pipelock.E2E.Tests.Systemd;

/// <summary>
/// The service as an administrator gets it: scripts/install.sh inside a booted Debian root under a real systemd
/// (systemd-nspawn in the test's own network namespace), then systemctl, journalctl, the Ruby client of the Sure app
/// with no proxy variables, and scripts/uninstall.sh. Each test boots its own container, so none depends on another.
/// </summary>
[Collection(SystemdCollection.Name)]
public sealed class InstalledServiceTests
{
    /// <summary>CAP_NET_BIND_SERVICE (10) and CAP_NET_ADMIN (12): the unit's whole capability list.</summary>
    private const string ServiceCapabilities = "0000000000001400";

    /// <summary>The test "public" CA that signs the upstream's own certificate (TestPki's default name).</summary>
    private const string UpstreamCaName = "CN=Pipelock E2E Test Root";

    // Net::HTTP.new(host, port, nil): no proxy at all, as the Stripe gem builds it; only Pipelock's CA is trusted, so
    // a 200 also proves the certificate came from the appliance.
    private const string TransparentClient = """
        require "net/http"
        require "json"
        require "openssl"
        url, method, body, ca = ARGV
        uri = URI(url)
        begin
          http = Net::HTTP.new(uri.host, uri.port, nil)
          http.use_ssl = true
          http.ca_file = ca
          http.verify_mode = OpenSSL::SSL::VERIFY_PEER
          http.open_timeout = 10
          http.read_timeout = 30
          http.start do |h|
            req = method == "POST" ? Net::HTTP::Post.new(uri) : Net::HTTP::Get.new(uri)
            if body != "-"
              req.body = body
              req["Content-Type"] = "application/json"
            end
            res = h.request(req)
            puts JSON.generate(status: res.code.to_i, body: res.body.to_s, issuer: h.peer_cert.issuer.to_s)
          end
        rescue StandardError => e
          puts JSON.generate(error: "#{e.class}: #{e.message}")
        end
        """;

    // One keep-alive connection to the forward proxy across a reload: a request before, one after (same local port =
    // same connection), then a request the reloaded config blocks. Steps go to a file the test reads from the host.
    private const string ReloadClient = """
        require "net/http"
        require "json"
        marker, steps, go = ARGV
        log = ->(h) { File.open(steps, "a") { |f| f.puts(JSON.generate(h)) } }
        begin
          Net::HTTP.start("upstream.test", 80, "127.0.0.1", 8888, open_timeout: 10, read_timeout: 30) do |http|
            r = http.get("/text?body=before")
            log.(step: "before", status: r.code.to_i, port: http.instance_variable_get(:@socket).io.local_address.ip_port)
            deadline = Time.now + 90
            sleep 0.1 until File.exist?(go) || Time.now > deadline
            r = http.get("/text?body=after")
            log.(step: "after", status: r.code.to_i, port: http.instance_variable_get(:@socket).io.local_address.ip_port)
            r = http.get("/text?body=" + marker)
            log.(step: "marker", status: r.code.to_i)
          end
        rescue StandardError => e
          log.(step: "error", error: "#{e.class}: #{e.message}")
        end
        """;

    [RootFact]
    public async Task Install_RunsTheServiceUnderSystemd_InterceptsRubyWithoutProxy_ReloadsLive_StopsCleanInOpenMode()
    {
        await using var f = await ServiceFixture.StartAsync();
        var c = f.Container;

        // Install on the built-in default config: the installer starts the service and returns only once it is up.
        var install = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage"], TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, "install.sh failed:\n" + install);
        Assert.Contains("Next steps", install.Stdout, StringComparison.Ordinal);
        Assert.Contains(ServiceFixture.PublicCa, install.Stdout, StringComparison.Ordinal);
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());

        // Type=notify: systemd held the unit in "activating" until READY=1, which the agent sends once it serves, so
        // the first healthcheck right after `systemctl restart` returns must pass (no retry), and the STATUS= text
        // sent with READY is what systemd shows.
        var restart = await c.ShAsync("systemctl restart pipelock && /opt/pipelock/pipelock healthcheck --addr 127.0.0.1:8888");
        Assert.True(restart.ExitCode == 0, "healthcheck right after systemctl restart:\n" + restart);
        var show = await c.MustAsync(["systemctl", "show", "-p", "Type", "-p", "NotifyAccess", "-p", "StatusText", "-p", "User", "pipelock"]);
        Assert.Contains("Type=notify", show, StringComparison.Ordinal);
        Assert.Contains("StatusText=listening on", show, StringComparison.Ordinal);

        // The unit as installed: systemd-analyze finds nothing to say about it (verify exits 0 even on warnings, so
        // its output is what counts) and rates its exposure at most 2.0.
        var verify = await c.ExecAsync(["systemd-analyze", "verify", "/etc/systemd/system/pipelock.service"]);
        Assert.True(verify.ExitCode == 0 && verify.Stdout.Trim().Length == 0 && verify.Stderr.Trim().Length == 0, "systemd-analyze verify:\n" + verify);
        var security = await c.MustAsync(["systemd-analyze", "security", "--offline=true", "/etc/systemd/system/pipelock.service"]);
        var exposure = System.Text.RegularExpressions.Regex.Match(security, @"Overall exposure level for pipelock\.service: ([0-9.]+)");
        Assert.True(exposure.Success, "systemd-analyze security:\n" + security);
        Assert.True(double.Parse(exposure.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= 2.0, "exposure above 2.0:\n" + security);

        // Files: CA key 0600 owned by the service user, config readable by its group only, public CA copy for clients.
        Assert.Equal("600 pipelock pipelock", (await c.MustAsync(["stat", "-c", "%a %U %G", "/var/lib/pipelock/ca/ca-key.pem"])).Trim());
        Assert.Equal("640 root pipelock", (await c.MustAsync(["stat", "-c", "%a %U %G", ServiceFixture.Config])).Trim());
        Assert.Equal("644 root root", (await c.MustAsync(["stat", "-c", "%a %U %G", ServiceFixture.PublicCa])).Trim());
        Assert.Equal(await c.MustAsync(["cat", "/var/lib/pipelock/ca/ca.pem"]), await c.MustAsync(["cat", ServiceFixture.PublicCa]));

        // The process: the service user, no new privileges, and exactly the two listed capabilities in every set.
        var status = await f.MainProcessStatusAsync();
        var uid = (await c.MustAsync(["id", "-u", "pipelock"])).Trim();
        Assert.NotEqual("0", uid);
        Assert.StartsWith(uid + "\t", status["Uid"], StringComparison.Ordinal);
        Assert.Equal("1", status["NoNewPrivs"]);
        foreach (var set in new[] { "CapPrm", "CapEff", "CapBnd", "CapAmb" })
            Assert.True(status[set] == ServiceCapabilities, $"{set} = {status[set]}, expected {ServiceCapabilities} (CAP_NET_ADMIN, CAP_NET_BIND_SERVICE)");
        // The CA directory is read-only for the service (ReadOnlyPaths): its mount in the service's namespace says ro.
        var mounts = await c.MustAsync(["cat", $"/proc/{status["Pid"]}/mountinfo"]);
        Assert.Matches(@"(?m)^\S+ \S+ \S+ \S+ /var/lib/pipelock/ca ro[, ]", mounts);

        // The watchdog: with WatchdogSec cut to 2 s by a drop-in, systemd would kill a silent service within 2 s; over
        // 5 s it stays up, never restarted, and the time of the last ping moves.
        await c.WriteFileAsync("/etc/systemd/system/pipelock.service.d/watchdog.conf", "[Service]\nWatchdogSec=2s\n");
        await c.MustAsync(["systemctl", "daemon-reload"]);
        await c.MustAsync(["systemctl", "restart", "pipelock"]);
        var ping1 = (await c.MustAsync(["systemctl", "show", "-P", "WatchdogTimestampMonotonic", "pipelock"])).Trim();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var ping2 = (await c.MustAsync(["systemctl", "show", "-P", "WatchdogTimestampMonotonic", "pipelock"])).Trim();
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());
        Assert.Equal("0", (await c.MustAsync(["systemctl", "show", "-P", "NRestarts", "pipelock"])).Trim());
        Assert.NotEqual(ping1, ping2);
        await c.MustAsync(["rm", "-r", "/etc/systemd/system/pipelock.service.d"]);
        await c.MustAsync(["systemctl", "daemon-reload"]);

        // Transparent local mode, fail_mode open. Turning interception on needs a restart (a reload says so).
        await f.WriteConfigAsync(ServiceFixture.TestConfig("open"));
        await c.MustAsync(["systemctl", "restart", "pipelock"], TimeSpan.FromMinutes(2));
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);

        // The Sure app's Ruby client, no proxy variables, is intercepted: a clean call goes through with Pipelock's
        // certificate, a planted secret is refused before it leaves.
        await c.WriteFileAsync(ServiceFixture.ScriptDir + "/transparent.rb", TransparentClient);
        var clean = await RubyAsync(c, "https://upstream.test/text?body=quarterly-report", "GET");
        Assert.True(clean.TryGetProperty("status", out var cs) && cs.GetInt32() == 200, "clean request: " + clean);
        Assert.Equal("quarterly-report", clean.GetProperty("body").GetString());
        Assert.DoesNotContain(UpstreamCaName, clean.GetProperty("issuer").GetString(), StringComparison.Ordinal);

        var secret = TestSecrets.AwsAccessKeyId();
        var leak = await RubyAsync(c, "https://upstream.test/echo", "POST", $"{{\"note\":\"deploy with {secret}\"}}");
        Assert.True(leak.TryGetProperty("status", out var ls) && ls.GetInt32() == 403, "request with a secret: " + leak);
        Assert.DoesNotContain(f.Upstream.Requests, r => r.Path == "/echo");

        // The journal holds the block as structured fields, without the secret.
        var blocked = await f.WaitForJournalAsync(e => e.GetValueOrDefault("PIPELOCK_EVENT") == "blocked", TimeSpan.FromSeconds(20));
        Assert.False(string.IsNullOrEmpty(blocked.GetValueOrDefault("PIPELOCK_SCANNER")), "block entry without PIPELOCK_SCANNER: " + string.Join(", ", blocked));
        Assert.Equal("4", blocked.GetValueOrDefault("PRIORITY"));
        Assert.DoesNotContain(await c.MustAsync(["journalctl", "-u", "pipelock", "-o", "json", "--no-pager"]), secret, StringComparison.Ordinal);

        // systemctl reload with a connection open: the connection survives, and the new config (a DLP pattern it
        // adds) applies to the next request on it.
        await c.WriteFileAsync(ServiceFixture.ScriptDir + "/reload.rb", ReloadClient);
        var marker = "plreload" + TestSecrets.Alphanumeric(6).ToLowerInvariant() + "x" + Random.Shared.Next(10_000_000, 99_999_999);
        var stepsPath = $"/proc/{c.InitPid}/root/run/pl-steps.jsonl";
        var goPath = $"/proc/{c.InitPid}/root/run/pl-go";
        var client = c.ExecAsync(["ruby", ServiceFixture.ScriptDir + "/reload.rb", marker, "/run/pl-steps.jsonl", "/run/pl-go"], TimeSpan.FromMinutes(2));
        var before = await WaitForStepAsync(stepsPath, "before", client);
        Assert.Equal(200, before.GetProperty("status").GetInt32());

        await f.WriteConfigAsync(ServiceFixture.TestConfig("open", """
            dlp:
              patterns:
                - name: reload-marker
                  regex: "plreload[a-z0-9]{6}x[0-9]{8}"
                  severity: high
            """));
        await c.MustAsync(["systemctl", "reload", "pipelock"]);
        await f.WaitForJournalAsync(e => e.GetValueOrDefault("PIPELOCK_EVENT") == "config_reload" && e.GetValueOrDefault("PIPELOCK_OK") == "true"
            && e.GetValueOrDefault("PIPELOCK_TRIGGER") == "sighup", TimeSpan.FromSeconds(30));
        await File.WriteAllTextAsync(goPath, "go\n");
        var done = await client;
        var steps = ReadSteps(stepsPath);
        var after = steps.Single(s => s.GetProperty("step").GetString() == "after");
        var blockedAfter = steps.Single(s => s.GetProperty("step").GetString() == "marker");
        Assert.True(after.GetProperty("status").GetInt32() == 200, "after reload: " + after + "\n" + done);
        Assert.Equal(before.GetProperty("port").GetInt32(), after.GetProperty("port").GetInt32());
        Assert.Equal(403, blockedAfter.GetProperty("status").GetInt32());
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());

        // fail_mode open: stopping gives the host its direct egress back, so no rule may stay.
        await c.MustAsync(["systemctl", "stop", "pipelock"]);
        Assert.DoesNotContain("pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);

        // Uninstall without --purge: program and unit go, config, CA and user stay for a re-install.
        var uninstall = await c.ExecAsync(["/src/scripts/uninstall.sh"], TimeSpan.FromMinutes(2));
        Assert.True(uninstall.ExitCode == 0, "uninstall.sh failed:\n" + uninstall);
        Assert.NotEqual(0, (await c.ExecAsync(["systemctl", "cat", "pipelock"])).ExitCode);
        Assert.Equal("gone", (await c.ShAsync("test -e /opt/pipelock || test -e /etc/systemd/system/pipelock.service || test -e /etc/sysusers.d/pipelock.conf || test -e /usr/local/share/pipelock || echo gone")).Stdout.Trim());
        Assert.Equal(0, (await c.ExecAsync(["test", "-f", ServiceFixture.Config])).ExitCode);
        Assert.Equal(0, (await c.ExecAsync(["test", "-f", "/var/lib/pipelock/ca/ca-key.pem"])).ExitCode);
        Assert.Equal(0, (await c.ExecAsync(["id", "pipelock"])).ExitCode);
    }

    [RootFact]
    public async Task ClosedMode_RulesOutliveTheService_UntilRulesRemove_AndPurgeRemovesEverything()
    {
        await using var f = await ServiceFixture.StartAsync();
        var c = f.Container;

        var install = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage", "--no-start"], TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, "install.sh --no-start failed:\n" + install);
        Assert.Equal("enabled", (await c.ExecAsync(["systemctl", "is-enabled", "pipelock"])).Stdout.Trim());
        Assert.Equal("inactive", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());

        // Re-running the installer keeps an administrator's config and the CA clients already trust.
        await f.WriteConfigAsync(ServiceFixture.TestConfig("closed"));
        var configBefore = await c.MustAsync(["cat", ServiceFixture.Config]);
        var caBefore = await c.MustAsync(["cat", "/var/lib/pipelock/ca/ca.pem"]);
        var again = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage"], TimeSpan.FromMinutes(3));
        Assert.True(again.ExitCode == 0, "second install.sh failed:\n" + again);
        Assert.Contains("keeping the existing " + ServiceFixture.Config, again.Stdout, StringComparison.Ordinal);
        Assert.Equal(configBefore, await c.MustAsync(["cat", ServiceFixture.Config]));
        Assert.Equal(caBefore, await c.MustAsync(["cat", "/var/lib/pipelock/ca/ca.pem"]));
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);

        // The CA directory belongs to the service user, so a link planted there must not make root publish (or chown)
        // what it points at when the installer runs again.
        await c.MustAsync(["runuser", "-u", "pipelock", "--", "sh", "-c", "cd /var/lib/pipelock/ca && mv ca.pem ca.pem.real && ln -s /etc/shadow ca.pem"]);
        var planted = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage", "--no-start"], TimeSpan.FromMinutes(3));
        Assert.NotEqual(0, planted.ExitCode);
        Assert.DoesNotContain("root:", await c.MustAsync(["cat", ServiceFixture.PublicCa]), StringComparison.Ordinal);
        Assert.Equal("root", (await c.MustAsync(["stat", "-c", "%U", "/etc/shadow"])).Trim());
        await c.MustAsync(["runuser", "-u", "pipelock", "--", "sh", "-c", "cd /var/lib/pipelock/ca && rm ca.pem && mv ca.pem.real ca.pem"]);

        // A build that does not run here (another architecture, say) is refused before it replaces the installed one.
        await c.MustAsync(["sh", "-c", "mkdir -p /run/bad-stage && printf '#!/bin/sh\\nexit 126\\n' > /run/bad-stage/pipelock && chmod 755 /run/bad-stage/pipelock"]);
        var bad = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/run/bad-stage"], TimeSpan.FromMinutes(3));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("does not run on this machine", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await c.ExecAsync(["/opt/pipelock/pipelock", "version"])).ExitCode);
        Assert.Equal("active", (await c.ExecAsync(["systemctl", "is-active", "pipelock"])).Stdout.Trim());

        // fail_mode closed: the rules stay when the service stops, so captured traffic fails instead of leaving unscanned.
        await c.WriteFileAsync(ServiceFixture.ScriptDir + "/transparent.rb", TransparentClient);
        await c.MustAsync(["systemctl", "stop", "pipelock"]);
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        // Trusting the upstream's own CA, so a request that went out directly would succeed: it must not connect at all.
        var whileDown = await RubyAsync(c, "https://upstream.test/text?body=while-down", "GET", ca: ServiceFixture.UpstreamCa);
        Assert.True(whileDown.TryGetProperty("error", out var downError)
            && (downError.GetString()!.Contains("ECONNREFUSED", StringComparison.Ordinal) || downError.GetString()!.Contains("Timeout", StringComparison.Ordinal)),
            "a captured request while the service is down must fail to connect: " + whileDown);
        Assert.DoesNotContain(f.Upstream.Requests, r => r.Target.Contains("while-down", StringComparison.Ordinal));

        // Back up: one table (replaced, not doubled), traffic flows again.
        await c.MustAsync(["systemctl", "start", "pipelock"], TimeSpan.FromMinutes(2));
        Assert.Single((await f.NftTablesAsync()).Split('\n'), l => l.Contains("pipelock", StringComparison.Ordinal));
        var up = await RubyAsync(c, "https://upstream.test/text?body=back-up", "GET");
        Assert.True(up.TryGetProperty("status", out var us) && us.GetInt32() == 200, "after restart: " + up);

        // Only `pipelock rules remove` lifts them.
        await c.MustAsync(["systemctl", "stop", "pipelock"]);
        await c.MustAsync(["/opt/pipelock/pipelock", "rules", "remove"]);
        Assert.DoesNotContain("pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);

        // Uninstalling with the service running in closed mode lifts the rules too.
        await c.MustAsync(["systemctl", "start", "pipelock"], TimeSpan.FromMinutes(2));
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        var uninstall = await c.ExecAsync(["/src/scripts/uninstall.sh"], TimeSpan.FromMinutes(2));
        Assert.True(uninstall.ExitCode == 0, "uninstall.sh failed:\n" + uninstall);
        Assert.DoesNotContain("pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);

        // A re-install picks up the kept config (closed mode, rules back). Then a half-finished removal: the program
        // is gone but its closed-mode rules are not; --purge still lifts them, and takes config, CA and user.
        var reinstall = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage"], TimeSpan.FromMinutes(3));
        Assert.True(reinstall.ExitCode == 0, "re-install failed:\n" + reinstall);
        Assert.Equal(caBefore, await c.MustAsync(["cat", ServiceFixture.PublicCa]));
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        await c.MustAsync(["systemctl", "stop", "pipelock"]);
        await c.MustAsync(["rm", "-rf", "/opt/pipelock"]);
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        var purge = await c.ExecAsync(["/src/scripts/uninstall.sh", "--purge"], TimeSpan.FromMinutes(2));
        Assert.True(purge.ExitCode == 0, "uninstall.sh --purge failed:\n" + purge);
        Assert.DoesNotContain("pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        Assert.Equal("gone", (await c.ShAsync("test -e /opt/pipelock || test -e /etc/pipelock || test -e /var/lib/pipelock || test -e /etc/systemd/system/pipelock.service || echo gone")).Stdout.Trim());
        Assert.NotEqual(0, (await c.ExecAsync(["id", "pipelock"])).ExitCode);
        var direct = await RubyAsync(c, "https://upstream.test/text?body=after-purge", "GET", ca: ServiceFixture.UpstreamCa);
        Assert.True(direct.TryGetProperty("status", out var ds) && ds.GetInt32() == 200, "after purge the client reaches the upstream directly: " + direct);
        Assert.Contains(UpstreamCaName, direct.GetProperty("issuer").GetString(), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task GatewayMode_UnderTheHardenedUnit_InterceptsAForwardedClient()
    {
        // The container is the router between the client and the upstream namespaces; the client is a plain Ruby
        // process in the client namespace, whose default route is the container.
        await using var f = await ServiceFixture.StartAsync(inProxyNamespace: true);
        var c = f.Container;
        var install = await c.ExecAsync(["/src/scripts/install.sh", "--from", "/stage", "--no-start"], TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, "install.sh failed:\n" + install);
        await f.WriteConfigAsync(ServiceFixture.TestConfig("open", $"  interfaces: [\"{NetnsTopology.ProxyClientSideInterface}\"]", mode: "gateway"));
        await c.MustAsync(["systemctl", "start", "pipelock"], TimeSpan.FromMinutes(2));
        // TPROXY needs the fwmark rule and the local route besides the table: all made by the sandboxed service.
        Assert.Contains("table inet pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        Assert.Contains("fwmark", await c.MustAsync(["ip", "rule"]), StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("pipelock-gateway-client-").FullName;
        try
        {
            var script = Path.Combine(dir, "transparent.rb");
            await File.WriteAllTextAsync(script, TransparentClient);
            var ca = Path.Combine(dir, "ca.pem");
            File.Copy($"/proc/{c.InitPid}/root{ServiceFixture.PublicCa}", ca);
            async Task<JsonElement> ClientAsync(string url, string method, string? body = null)
            {
                return ClientResult(await f.Topology.ExecAsync(f.Topology.ClientNs, "ruby", [script, url, method, body ?? "-", ca], timeout: TimeSpan.FromMinutes(1)));
            }

            var clean = await ClientAsync("https://upstream.test/text?body=through-the-gateway", "GET");
            Assert.True(clean.TryGetProperty("status", out var cs) && cs.GetInt32() == 200, "clean request: " + clean);
            Assert.Equal("through-the-gateway", clean.GetProperty("body").GetString());
            Assert.DoesNotContain(UpstreamCaName, clean.GetProperty("issuer").GetString(), StringComparison.Ordinal);

            var secret = TestSecrets.GitHubToken();
            var leak = await ClientAsync("https://upstream.test/echo", "POST", $"{{\"token\":\"{secret}\"}}");
            Assert.True(leak.TryGetProperty("status", out var ls) && ls.GetInt32() == 403, "request with a secret: " + leak);
            Assert.DoesNotContain(f.Upstream.Requests, r => r.Path == "/echo");
            var blocked = await f.WaitForJournalAsync(e => e.GetValueOrDefault("PIPELOCK_EVENT") == "blocked", TimeSpan.FromSeconds(20));
            Assert.Equal(f.Topology.ClientV4.ToString(), blocked.GetValueOrDefault("PIPELOCK_CLIENT_IP"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        await c.MustAsync(["systemctl", "stop", "pipelock"]);
        Assert.DoesNotContain("pipelock", await f.NftTablesAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("fwmark", await c.MustAsync(["ip", "rule"]), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RubyAsync(SystemdContainer c, string url, string method, string? body = null, string ca = ServiceFixture.PublicCa)
    {
        return ClientResult(await c.ExecAsync(["ruby", ServiceFixture.ScriptDir + "/transparent.rb", url, method, body ?? "-", ca], TimeSpan.FromMinutes(1)));
    }

    /// <summary>The transparent client's result: the last line it printed, one JSON object.</summary>
    private static JsonElement ClientResult(ProcessResult r)
    {
        var line = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException("ruby printed nothing: " + r);
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitForStepAsync(string path, string step, Task<ProcessResult> client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (ReadSteps(path).FirstOrDefault(s => s.GetProperty("step").GetString() is var n && (n == step || n == "error")) is { ValueKind: JsonValueKind.Object } hit)
                return hit.GetProperty("step").GetString() == "error" ? throw new InvalidOperationException("reload client: " + hit) : hit;
            if (client.IsCompleted) throw new InvalidOperationException("reload client ended early: " + await client);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"reload client never logged '{step}'");
            await Task.Delay(100);
        }
    }

    private static List<JsonElement> ReadSteps(string path) =>
        File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())]
            : [];
}

/// <summary>The systemd tests boot containers and publish a build: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SystemdCollection
{
    public const string Name = "systemd";
}
