namespace Pipelock.Agent.Config.Binding;

/// <summary>Binds the URL/proxy sections: ssrf, fetch_proxy, forward_proxy, cross_request_detection, reverse_proxy, transparent.</summary>
internal static class NetworkBinder
{
    public static SsrfConfig Ssrf(YamlSection s)
    {
        var result = new SsrfConfig { IpAllowlist = s.CidrList("ip_allowlist", ValueList<string>.Empty, canonical: true) };
        s.Done();
        return result;
    }

    public static FetchProxyConfig FetchProxy(YamlSection s)
    {
        var d = new FetchProxyConfig();
        var m = s.Section("monitoring");
        var md = new MonitoringConfig();
        var monitoring = new MonitoringConfig
        {
            MaxUrlLength = m.Int("max_url_length", md.MaxUrlLength, 1),
            EntropyThreshold = m.Double("entropy_threshold", md.EntropyThreshold, 0, 8),
            SubdomainEntropyThreshold = m.Double("subdomain_entropy_threshold", md.SubdomainEntropyThreshold, 0, 8),
            MaxRequestsPerMinute = m.Int("max_requests_per_minute", md.MaxRequestsPerMinute, 0),
            MaxDataPerMinute = m.Long("max_data_per_minute", md.MaxDataPerMinute, 0),
            Blocklist = m.StringList("blocklist", md.Blocklist),
            SubdomainEntropyExclusions = m.StringList("subdomain_entropy_exclusions", md.SubdomainEntropyExclusions),
        };
        m.Done();
        var result = new FetchProxyConfig
        {
            Listen = HostPort(s, "listen", d.Listen, allowEmpty: false),
            TimeoutSeconds = s.Int("timeout_seconds", d.TimeoutSeconds, 1),
            MaxResponseMb = s.Int("max_response_mb", d.MaxResponseMb, 1),
            UserAgent = s.String("user_agent", d.UserAgent),
            Monitoring = monitoring,
        };
        s.Done();
        return result;
    }

    public static ForwardProxyConfig ForwardProxy(YamlSection s)
    {
        var d = new ForwardProxyConfig();
        var result = new ForwardProxyConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            MaxTunnelSeconds = s.Int("max_tunnel_seconds", d.MaxTunnelSeconds, 1),
            IdleTimeoutSeconds = s.Int("idle_timeout_seconds", d.IdleTimeoutSeconds, 1),
            SniVerification = s.Bool("sni_verification", d.SniVerification),
            RedirectWebsocketHosts = s.StringList("redirect_websocket_hosts", d.RedirectWebsocketHosts),
        };
        s.Done();
        return result;
    }

    public static CrossRequestConfig CrossRequest(YamlSection s)
    {
        var d = new CrossRequestConfig();
        var eb = s.Section("entropy_budget");
        var ebd = new EntropyBudgetConfig();
        var budget = new EntropyBudgetConfig
        {
            Enabled = eb.Bool("enabled", ebd.Enabled),
            BitsPerWindow = eb.Int("bits_per_window", ebd.BitsPerWindow, 1),
            WindowMinutes = eb.Int("window_minutes", ebd.WindowMinutes, 1),
            Action = eb.Action("action", ebd.Action, "warn", "block"),
            ExemptDomains = eb.StringList("exempt_domains", ebd.ExemptDomains),
        };
        eb.Done();
        var fr = s.Section("fragment_reassembly");
        var frd = new FragmentReassemblyConfig();
        var frag = new FragmentReassemblyConfig
        {
            Enabled = fr.Bool("enabled", frd.Enabled),
            MaxBufferBytes = fr.Int("max_buffer_bytes", frd.MaxBufferBytes, 1),
            WindowMinutes = fr.Int("window_minutes", frd.WindowMinutes, 1),
        };
        fr.Done();
        var result = new CrossRequestConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Action = s.Action("action", d.Action, "warn", "block"),
            EntropyBudget = budget,
            FragmentReassembly = frag,
        };
        if (result.Enabled && !budget.Enabled && !frag.Enabled)
            s.Context.Error(s.Node("enabled"), s.Join("enabled"), "is true but both entropy_budget and fragment_reassembly are disabled; enable one of them");
        s.Done();
        return result;
    }

    public static ReverseProxyConfig ReverseProxy(YamlSection s)
    {
        var result = new ReverseProxyConfig
        {
            Enabled = s.Bool("enabled", false),
            Listen = HostPort(s, "listen", "", allowEmpty: true),
            Upstream = s.String("upstream", ""),
        };
        if (result.Enabled)
        {
            if (result.Listen.Length == 0) s.Context.Error(s.KeyNode("listen") ?? s.Anchor, s.Join("listen"), "is required when reverse_proxy is enabled");
            if (!Uri.TryCreate(result.Upstream, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                s.Context.Error(s.Node("upstream") ?? s.Anchor, s.Join("upstream"), $"\"{result.Upstream}\" is not valid; must be an absolute http(s) URL when reverse_proxy is enabled");
        }
        s.Done();
        return result;
    }

    public static TransparentConfig Transparent(YamlSection s)
    {
        var d = new TransparentConfig();
        var result = new TransparentConfig
        {
            Enabled = s.Bool("enabled", d.Enabled),
            Mode = s.Enum("mode", d.Mode, "local", "gateway"),
            Ports = s.IntList("ports", d.Ports, 1, 65535),
            Uids = s.IntList("uids", d.Uids, 0, int.MaxValue),
            Gids = s.IntList("gids", d.Gids, 0, int.MaxValue),
            Cgroups = s.StringList("cgroups", d.Cgroups),
            Interfaces = s.StringList("interfaces", d.Interfaces),
            ExcludeCidrs = s.CidrList("exclude_cidrs", d.ExcludeCidrs),
            ListenPort = s.Port("listen_port", d.ListenPort),
            FailMode = s.Enum("fail_mode", d.FailMode, "closed", "open"),
            UnknownProtocol = s.Enum("unknown_protocol", d.UnknownProtocol, "block", "splice"),
        };
        if (result.Enabled && result.Ports.Count == 0)
            s.Context.Error(s.Node("ports") ?? s.Anchor, s.Join("ports"), "must list at least one port when transparent is enabled");
        if (result.Enabled && result.Mode == "gateway" && result.Interfaces.Count == 0)
            s.Context.Error(s.Node("interfaces") ?? s.Anchor, s.Join("interfaces"), "must list at least one interface in gateway mode");
        s.Done();
        return result;
    }

    /// <summary>"host:port" or ":port" listen addresses; the port must be 1-65535.</summary>
    internal static string HostPort(YamlSection s, string key, string def, bool allowEmpty)
    {
        var v = s.String(key, def);
        if (v.Length == 0 && allowEmpty) return v;
        int colon = v.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(v.AsSpan(colon + 1), System.Globalization.NumberStyles.None, YamlSection.Inv, out var port) || port is < 1 or > 65535)
        {
            s.Context.Error(s.Node(key), s.Join(key), $"\"{v}\" is not valid; must be host:port or :port with a port between 1 and 65535");
            return def;
        }
        return v;
    }
}
