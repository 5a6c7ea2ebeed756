using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipelock.Agent.Config;
using Pipelock.Agent.Forward;
using Pipelock.Agent.Mcp;
using Pipelock.Agent.Operations;
using Pipelock.Agent.Transparent;
using Pipelock.Interceptor.Rules;
using Pipelock.Interceptor.Transparent;
using Yarp.ReverseProxy.Forwarder;

namespace Pipelock.Agent.Hosting;

/// <summary>
/// <c>pipelock run</c>: loads the config, builds the engine, and serves the forward listener (CONNECT layer, then
/// Kestrel's HTTP/1.1 layer), the MCP listener (when an upstream is given) and the optional kill-switch API
/// listener, until SIGTERM/SIGINT. SIGHUP reloads, SIGUSR1 toggles the kill switch.
/// </summary>
public static class AgentHost
{
    private const int SigUsr1 = 10;

    public static async Task<int> RunAsync(RunOptions options, TextWriter err, CancellationToken cancellationToken = default)
    {
        var time = TimeProvider.System;
        PipelockConfig loaded;
        IReadOnlyList<string> warnings = [];
        if (options.ConfigPath is { } path)
        {
            var result = ConfigLoader.LoadFile(path);
            if (!result.IsValid)
            {
                foreach (var e in result.Errors) err.WriteLine("error: " + e);
                return 2;
            }
            loaded = result.Config!;
            warnings = result.Warnings;
        }
        else
        {
            loaded = RuntimeFactory.BuiltInDefault;
        }

        bool frontsMcp = options.McpUpstream is not null;
        var resolver = new CachingHostResolver(new SystemHostResolver(), time);
        RuntimeSnapshot initial;
        try
        {
            initial = RuntimeFactory.Build(loaded, frontsMcp, null, time, resolver);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException)
        {
            err.WriteLine("error: " + e.Message);
            return 2;
        }

        var cfg = initial.Config;
        // Under systemd (stdout is the journal stream) events go to journald as structured entries instead.
        await using var log = new DecisionLog(cfg.Logging, time: time, journal: JournalSink.ForStdout());
        foreach (var w in warnings) log.Event("warn", "config_warning", ("file", options.ConfigPath), ("warning", w));
        using var killSwitch = new KillSwitch();
        killSwitch.Set(KillSwitchSource.Config, cfg.KillSwitch.Enabled);
        var metrics = new ProxyMetrics(Cli.VersionCommand.Version);
        killSwitch.Changed += (source, on) =>
        {
            metrics.KillSwitchActive.WithLabels(source.ToString().ToLowerInvariant()).Set(on ? 1 : 0);
            log.Event("warn", "kill_switch", ("source", source.ToString().ToLowerInvariant()), ("active", on), ("any_active", killSwitch.IsActive));
        };
        metrics.KillSwitchActive.WithLabels("config").Set(cfg.KillSwitch.Enabled ? 1 : 0);

        UpstreamClient upstream;
        TlsBumping? tls = null;
        Pipelock.Certs.LeafCertificateProvider? certificates = null;
        try
        {
            int? mark = null;
            if (cfg.Transparent.Enabled)
            {
                // Every upstream socket is marked so the interception rules never recapture the agent's own traffic.
                if (!TransparentSockets.CanMark(out var markError))
                {
                    err.WriteLine("error: transparent interception needs CAP_NET_ADMIN (SO_MARK on upstream sockets): " + markError);
                    return 2;
                }
                mark = TransparentSockets.UpstreamMark;
            }
            upstream = new UpstreamClient(NullIfEmpty(cfg.TlsInterception.UpstreamCaFile), TimeSpan.FromSeconds(Math.Max(1, cfg.FetchProxy.TimeoutSeconds)), mark);
            if (cfg.TlsInterception.Enabled)
            {
                certificates = TlsSetup.CreateProvider(cfg.TlsInterception, time);
                tls = TlsSetup.Bumping(certificates);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
        {
            err.WriteLine("error: TLS setup: " + e.Message);
            return 2;
        }

        // Extra listeners named in the file; a name Kestrel cannot bind is a start-up error, never a silent skip.
        IPEndPoint? metricsEndpoint = null, apiEndpoint = null;
        foreach (var (key, text) in new[] { ("metrics_listen", cfg.MetricsListen), ("kill_switch.api_listen", cfg.KillSwitch.ApiListen) })
        {
            if (text.Length == 0) continue;
            var ep = RunOptions.ParseEndPoint(text, out var listenError);
            if (ep is null)
            {
                err.WriteLine($"error: {key}: {listenError}");
                return 2;
            }
            if (key == "metrics_listen") metricsEndpoint = ep; else apiEndpoint = ep;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Kestrel's console logs go to stderr so stdout stays the decision log.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddHttpForwarder();
        ConnectTunnelLayer? connectLayer = null;
        TransparentLayer? transparentLayer = null;
        var transparent = cfg.Transparent;
        if (transparent.Enabled)
        {
            // TPROXY delivers packets addressed to foreign IPs: the listener needs IP_TRANSPARENT before bind.
            bool gateway = transparent.Mode == "gateway";
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ep =>
                ep is IPEndPoint ip && ip.Port == transparent.ListenPort
                    ? TransparentSockets.CreateListener(ip, gateway)
                    : Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions.CreateDefaultBoundListenSocket(ep));
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Absolute-form targets name the host; the Host header follows them (RFC 9112 §3.2.2).
            k.AllowHostHeaderOverride = true;
            // No limits beyond the scanners' own: body size is request_body_scanning's, streams may be slow.
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.MaxRequestLineSize = 64 * 1024;
            k.Limits.MaxRequestBufferSize = 1024 * 1024;
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            k.Listen(options.Listen, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                l.Use(next => c =>
                {
                    c.Features.Set(new ListenerRole(ListenerKind.Forward));
                    return connectLayer!.OnConnectionAsync(c, next);
                });
            });
            if (options.McpListen is { } mcpListen && frontsMcp)
            {
                k.Listen(mcpListen, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    l.Use(next => c =>
                    {
                        c.Features.Set(new ListenerRole(ListenerKind.Mcp));
                        return next(c);
                    });
                });
            }
            if (transparent.Enabled)
            {
                k.Listen(new IPEndPoint(IPAddress.IPv6Any, transparent.ListenPort), l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    l.Use(next => c =>
                    {
                        c.Features.Set(new ListenerRole(ListenerKind.Transparent));
                        return transparentLayer!.OnConnectionAsync(c, next);
                    });
                });
            }
            if (metricsEndpoint is not null)
            {
                k.Listen(metricsEndpoint, l => l.Use(next => c =>
                {
                    c.Features.Set(new ListenerRole(ListenerKind.Metrics));
                    return next(c);
                }));
            }
            if (apiEndpoint is { } api)
            {
                k.Listen(api, l => l.Use(next => c =>
                {
                    c.Features.Set(new ListenerRole(ListenerKind.Api));
                    return next(c);
                }));
            }
        });

        WebApplication app;
        try
        {
            app = builder.Build();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            err.WriteLine("error: " + e.Message);
            return 2;
        }
        await using var _app = app;
        var services = new ProxyServices
        {
            State = new RuntimeStateHolder(initial),
            KillSwitch = killSwitch,
            Log = log,
            Metrics = metrics,
            Stats = new ProxyStats(),
            Upstream = upstream,
            Forwarder = app.Services.GetRequiredService<IHttpForwarder>(),
            Time = time,
            Version = Cli.VersionCommand.Version,
            Resolver = resolver,
            StartedAt = time.GetUtcNow(),
            Tls = tls,
            Certificates = certificates,
        };
        if (certificates is not null)
        {
            certificates.Changed += c => log.Event("warn", "ca_changed", ("old_fingerprint", c.OldFingerprint), ("new_fingerprint", c.NewFingerprint), ("reason", c.Reason));
            certificates.ReloadFailed += e => log.Event("error", "ca_reload", ("ok", false), ("error", e.Message), ("kept", "previous CA"));
            log.Event("info", "ca", ("ca_cert", cfg.TlsInterception.CaCert), ("fingerprint", certificates.Fingerprint));
        }
        connectLayer = new ConnectTunnelLayer(services);
        transparentLayer = new TransparentLayer(services, new AutoPassthrough(time));
        using var mcp = frontsMcp ? new McpProxyHandler(services, options.McpUpstream!) : null;
        var pipeline = new ProxyPipeline(services, new ForwardRequestHandler(services), new OperationsEndpoints(services), mcp);
        app.Run(pipeline.InvokeAsync);

        using var reloader = options.ConfigPath is { } cp ? new ConfigReloader(cp, frontsMcp, services) : null;
        await using var sentinel = new SentinelFileWatcher(killSwitch, () => services.State.Current.Config.KillSwitch.SentinelFile);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            if (reloader is not null) _ = reloader.ReloadAsync("sighup");
            else log.Event("warn", "config_reload", ("trigger", "sighup"), ("ok", false), ("errors", "running on the built-in config: nothing to reload"));
        });
        using var usr1 = PosixSignalRegistration.Create((PosixSignal)SigUsr1, ctx =>
        {
            ctx.Cancel = true;
            killSwitch.ToggleSignal();
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            err.WriteLine("error: cannot listen: " + e.Message);
            return 2;
        }
        // Transparent interception: the listener is up, so the rules can send traffic to it now.
        TransparentRules? rules = null;
        if (transparent.Enabled)
        {
            rules = new TransparentRules();
            try
            {
                await rules.InstallAsync(TransparentRulesMapper.ToRuleOptions(transparent, RulesPrivileges.NonRootUid()), cancellationToken).ConfigureAwait(false);
                log.Event("info", "transparent_rules", ("installed", true), ("mode", transparent.Mode), ("listen_port", transparent.ListenPort),
                    ("ports", string.Join(",", transparent.Ports)), ("fail_mode", transparent.FailMode));
            }
            catch (TransparentRulesException e)
            {
                err.WriteLine("error: installing the transparent-interception rules: " + e.Message);
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return 2;
            }
        }
        if (!cfg.ForwardProxy.Enabled)
            log.Event("warn", "config_warning", ("warning", "forward_proxy.enabled is false: CONNECT and absolute-form requests are refused"));
        log.Event("info", "startup", ("version", services.Version), ("listen", options.Listen.ToString()),
            ("mcp_listen", frontsMcp ? options.McpListen?.ToString() : null), ("mcp_upstream", options.McpUpstream?.ToString()),
            ("mode", cfg.Mode.ToString().ToLowerInvariant()), ("config", options.ConfigPath ?? "built-in default"),
            ("tls_interception", tls is not null), ("kill_switch_active", killSwitch.IsActive));
        // Only now, with the listeners and the interception rules up, is the service ready (Type=notify).
        await using var serviceManager = new ServiceManager();
        serviceManager.Ready("listening on " + options.Listen + (transparent.Enabled ? ", transparent interception on" : ""));
        using var stopping = app.Lifetime.ApplicationStopping.Register(static m => ((ServiceManager)m!).Stopping(), serviceManager);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (rules is not null)
        {
            // fail_mode open: stopping the agent gives the host its direct egress back. closed: the rules stay, so
            // captured traffic fails instead of leaving unscanned until the agent is back.
            if (transparent.FailMode == "open")
            {
                try
                {
                    await rules.RemoveAsync(CancellationToken.None).ConfigureAwait(false);
                    log.Event("info", "transparent_rules", ("installed", false), ("reason", "shutdown, fail_mode open"));
                }
                catch (TransparentRulesException e)
                {
                    log.Event("error", "transparent_rules", ("installed", true), ("error", "could not remove on shutdown: " + e.Message));
                }
            }
            else
            {
                log.Event("info", "transparent_rules", ("installed", true), ("reason", "shutdown, fail_mode closed: rules kept, captured traffic fails until the agent is back"));
            }
        }
        log.Event("info", "shutdown", ("version", services.Version));
        upstream.Dispose();
        return 0;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
