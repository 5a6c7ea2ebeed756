using System.Net;
using System.Net.Sockets;

namespace Pipelock.Interceptor.Rules;

/// <summary>A cgroup v2 selector: path relative to the cgroup2 root and its depth (nft's <c>level</c>).</summary>
public sealed record CgroupSelector(string Path, int Level);

/// <summary>
/// <see cref="TransparentRuleOptions"/> validated and put in canonical form (sorted, de-duplicated, CIDRs masked to
/// their network and split by family, loopback first), so every renderer reads the same facts and renders the same
/// text for equivalent options. Config strings end up inside firewall scripts, so names are checked against strict
/// character sets instead of being escaped.
/// </summary>
public sealed class RulePlan
{
    public const string Loopback4 = "127.0.0.0/8";
    public const string Loopback6 = "::1/128";

    public TransparentRuleMode Mode { get; }
    public TransparentFailMode FailMode { get; }
    public IReadOnlyList<int> Ports { get; }
    public IReadOnlyList<int> Uids { get; }
    public IReadOnlyList<int> Gids { get; }
    public IReadOnlyList<CgroupSelector> Cgroups { get; }
    public IReadOnlyList<string> Interfaces { get; }
    public IReadOnlyList<string> Exclude4 { get; }
    public IReadOnlyList<string> Exclude6 { get; }
    public int ListenPort { get; }
    public int? AgentUid { get; }

    /// <summary>True when local mode captures only some processes.</summary>
    public bool IsScoped => Uids.Count + Gids.Count + Cgroups.Count > 0;

    private RulePlan(TransparentRuleOptions o, List<string> errors)
    {
        Mode = o.Mode;
        FailMode = o.FailMode;
        Ports = Distinct(o.Ports);
        Uids = Distinct(o.Uids);
        Gids = Distinct(o.Gids);
        ListenPort = o.ListenPort;
        AgentUid = o.AgentUid;

        if (Ports.Count == 0) errors.Add("ports: at least one port is needed");
        foreach (var p in Ports)
            if (p is < 1 or > 65535) errors.Add($"ports: {p} is not a port (1-65535)");
        if (ListenPort is < 1 or > 65535) errors.Add($"listen_port: {ListenPort} is not a port (1-65535)");
        foreach (var u in Uids.Where(u => u < 0)) errors.Add($"uids: {u} is negative");
        foreach (var g in Gids.Where(g => g < 0)) errors.Add($"gids: {g} is negative");
        if (AgentUid is < 0) errors.Add($"agent uid: {AgentUid} is negative");

        var cgroups = new List<CgroupSelector>();
        foreach (var c in o.Cgroups)
        {
            if (ParseCgroup(c) is { } sel) { if (!cgroups.Contains(sel)) cgroups.Add(sel); }
            else errors.Add($"cgroups: '{c}' is not a cgroup v2 path below the root (letters, digits and ._@:+- per component)");
        }
        Cgroups = cgroups;

        var interfaces = new List<string>();
        foreach (var i in o.Interfaces)
        {
            if (!IsInterfaceName(i)) errors.Add($"interfaces: '{i}' is not an interface name (1-15 of letters, digits and ._:@-, optional trailing *)");
            else if (i == "lo") errors.Add("interfaces: lo carries this host's own traffic; gateway mode captures forwarded traffic only");
            else if (!interfaces.Contains(i, StringComparer.Ordinal)) interfaces.Add(i);
        }
        Interfaces = interfaces;

        var v4 = new List<string> { Loopback4 };
        var v6 = new List<string> { Loopback6 };
        foreach (var c in o.ExcludeCidrs)
        {
            if (CanonicalCidr(c) is not { } canon) { errors.Add($"exclude_cidrs: '{c}' is not an address or CIDR"); continue; }
            var list = canon.Family == AddressFamily.InterNetwork ? v4 : v6;
            if (!list.Contains(canon.Text)) list.Add(canon.Text);
        }
        Exclude4 = v4;
        Exclude6 = v6;

        if (Mode == TransparentRuleMode.Local && o.Interfaces.Count > 0)
            errors.Add("interfaces: only gateway mode selects by interface; local mode selects by uids, gids and cgroups");
        if (Mode == TransparentRuleMode.Gateway)
        {
            if (o.Interfaces.Count == 0) errors.Add("interfaces: gateway mode needs at least one interface to capture forwarded traffic from");
            if (o.Uids.Count + o.Gids.Count + o.Cgroups.Count > 0)
                errors.Add("uids/gids/cgroups: only local mode selects by process owner; forwarded packets have no local owner");
        }
    }

    /// <summary>Validates and canonicalizes; throws <see cref="TransparentRulesException"/> listing every problem.</summary>
    public static RulePlan Create(TransparentRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var plan = new RulePlan(options, errors);
        if (errors.Count > 0) throw new TransparentRulesException("invalid transparent rules: " + string.Join("; ", errors));
        return plan;
    }

    /// <summary>Every problem with the options; empty when they can be rendered.</summary>
    public static IReadOnlyList<string> Validate(TransparentRuleOptions options)
    {
        var errors = new List<string>();
        _ = new RulePlan(options, errors);
        return errors;
    }

    private static List<int> Distinct(IReadOnlyList<int> values) => [.. values.Distinct().Order()];

    /// <summary>
    /// Linux IFNAMSIZ is 16 with the NUL; nft and iptables both accept a trailing * (iptables spells it +), so a
    /// literal + is refused: iptables would read it as a wildcard.
    /// </summary>
    private static bool IsInterfaceName(string s)
    {
        if (s.Length is 0 or > 15) return false;
        var body = s.EndsWith('*') ? s.AsSpan(0, s.Length - 1) : s.AsSpan();
        if (body.IsEmpty) return false;
        foreach (var ch in body)
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' or ':' or '@')) return false;
        return true;
    }

    private static CgroupSelector? ParseCgroup(string raw)
    {
        var parts = raw.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 64) return null; // the root would select every process: leave cgroups empty instead
        foreach (var p in parts)
        {
            if (p is "." or "..") return null;
            foreach (var ch in p)
                if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' or '@' or ':' or '+')) return null;
        }
        return new CgroupSelector(string.Join('/', parts), parts.Length);
    }

    private readonly record struct Cidr(AddressFamily Family, string Text);

    /// <summary>"a.b.c.d/n", "x::/n" or a bare address; host bits are cleared (nft rejects them, iptables drops them silently).</summary>
    private static Cidr? CanonicalCidr(string raw)
    {
        var s = raw.AsSpan().Trim();
        int slash = s.IndexOf('/');
        if (!IPAddress.TryParse(slash < 0 ? s : s[..slash], out var addr)) return null;
        if (addr.AddressFamily == AddressFamily.InterNetworkV6 && addr.ScopeId != 0) return null; // fe80::1%eth0 is no CIDR
        int max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = max;
        if (slash >= 0 && (!int.TryParse(s[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max))
            return null;
        var bytes = addr.GetAddressBytes();
        for (int bit = prefix; bit < max; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new Cidr(addr.AddressFamily, $"{new IPAddress(bytes)}/{prefix}");
    }
}
