using System.Globalization;
using System.Text;

namespace Pipelock.Interceptor.Rules;

/// <summary>A jump from a built-in hook chain into ours: <c>-t Table -I Hook 1 -j PIPELOCK</c>.</summary>
public sealed record IptablesHook(string Table, string Hook);

/// <summary>One family's rules: <c>iptables-restore --noflush</c> input plus the hook jumps to add after it.</summary>
public sealed record IptablesScript(string Tool, string RestoreInput, IReadOnlyList<IptablesHook> Hooks);

/// <summary>
/// The iptables/ip6tables fallback for hosts without <c>nft</c>: the same rules as <see cref="NftRuleset"/> in chains of
/// our own (PIPELOCK, PIPELOCK_CAPTURE, PIPELOCK_DIVERT), entered by one jump per built-in hook. Kept deliberately
/// simple: each table's chains load in one restore transaction, but install is remove-then-add (a brief window
/// without capture) and, since xt_TPROXY drops when no socket listens, gateway mode fails closed in both fail modes
/// until the caller removes the rules. On Debian 12 and later iptables is iptables-nft anyway, where the nft backend
/// is chosen.
/// </summary>
public static class IptablesRuleset
{
    public const string Chain = "PIPELOCK";
    public const string CaptureChain = "PIPELOCK_CAPTURE";
    public const string DivertChain = "PIPELOCK_DIVERT";

    /// <summary>Every (table, hook) either mode can jump from, for removal.</summary>
    public static readonly IReadOnlyList<IptablesHook> AllHooks =
        [new("nat", "OUTPUT"), new("filter", "OUTPUT"), new("mangle", "PREROUTING"), new("filter", "FORWARD")];

    /// <summary>Multiport takes at most 15 ports per rule.</summary>
    private const int MultiportMax = 15;

    public static IReadOnlyList<IptablesScript> Render(TransparentRuleOptions options, bool ipv6 = true)
    {
        var plan = RulePlan.Create(options);
        return ipv6 ? [Render(plan, false), Render(plan, true)] : [Render(plan, false)];
    }

    public static IptablesScript Render(RulePlan plan, bool ipv6)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var w = new StringBuilder();
        var excludes = ipv6 ? plan.Exclude6 : plan.Exclude4;
        var icmpReject = ipv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
        var upstream = $"-m mark --mark 0x{TransparentMarks.Upstream.ToString("x", CultureInfo.InvariantCulture)}";
        var tproxyMark = "0x" + TransparentMarks.Tproxy.ToString("x", CultureInfo.InvariantCulture);
        var listen = plan.ListenPort.ToString(CultureInfo.InvariantCulture);
        var portGroups = plan.Ports.Chunk(MultiportMax).Select(g => "-m multiport --dports " + string.Join(',', g.Select(p => p.ToString(CultureInfo.InvariantCulture)))).ToList();

        if (plan.Mode == TransparentRuleMode.Local)
        {
            var selectors = new List<string>();
            selectors.AddRange(plan.Uids.Select(u => $" -m owner --uid-owner {u.ToString(CultureInfo.InvariantCulture)}"));
            selectors.AddRange(plan.Gids.Select(g => $" -m owner --gid-owner {g.ToString(CultureInfo.InvariantCulture)}"));
            selectors.AddRange(plan.Cgroups.Select(c => $" -m cgroup --path {c.Path}"));
            if (selectors.Count == 0) selectors.Add("");

            void Prelude()
            {
                Append(w, Chain, $"{upstream} -j RETURN");
                if (plan.AgentUid is { } uid) Append(w, Chain, $"-m owner --uid-owner {uid.ToString(CultureInfo.InvariantCulture)} -j RETURN");
                foreach (var c in excludes) Append(w, Chain, $"-d {c} -j RETURN");
                Append(w, Chain, "-m addrtype --dst-type LOCAL -j RETURN");
            }

            w.Append("*nat\n:").Append(Chain).Append(" - [0:0]\n");
            Prelude();
            foreach (var sel in selectors)
                foreach (var ports in portGroups)
                    Append(w, Chain, $"-p tcp {ports}{sel} -j REDIRECT --to-ports {listen}");
            w.Append("COMMIT\n");

            w.Append("*filter\n:").Append(Chain).Append(" - [0:0]\n");
            Prelude();
            foreach (var sel in selectors)
                foreach (var ports in portGroups)
                    Append(w, Chain, $"-p udp {ports}{sel} -j REJECT --reject-with {icmpReject}");
            w.Append("COMMIT\n");
            return new IptablesScript(ipv6 ? "ip6tables" : "iptables", w.ToString(), [new("nat", "OUTPUT"), new("filter", "OUTPUT")]);
        }

        var interfaces = plan.Interfaces.Select(i => i.EndsWith('*') ? i[..^1] + "+" : i).ToList();

        w.Append("*mangle\n");
        w.Append(':').Append(Chain).Append(" - [0:0]\n");
        w.Append(':').Append(CaptureChain).Append(" - [0:0]\n");
        w.Append(':').Append(DivertChain).Append(" - [0:0]\n");
        Append(w, Chain, $"-p tcp -m socket --transparent -j {DivertChain}");
        foreach (var i in interfaces) Append(w, Chain, $"-i {i} -j {CaptureChain}");
        Append(w, CaptureChain, $"{upstream} -j RETURN");
        foreach (var c in excludes) Append(w, CaptureChain, $"-d {c} -j RETURN");
        Append(w, CaptureChain, "-m addrtype --dst-type LOCAL -j RETURN");
        foreach (var ports in portGroups)
            Append(w, CaptureChain, $"-p tcp {ports} -j TPROXY --on-port {listen} --tproxy-mark {tproxyMark}/0xffffffff");
        Append(w, DivertChain, $"-j MARK --set-mark {tproxyMark}");
        Append(w, DivertChain, "-j ACCEPT");
        w.Append("COMMIT\n");

        w.Append("*filter\n");
        w.Append(':').Append(Chain).Append(" - [0:0]\n");
        w.Append(':').Append(CaptureChain).Append(" - [0:0]\n");
        foreach (var i in interfaces) Append(w, Chain, $"-i {i} -j {CaptureChain}");
        foreach (var c in excludes) Append(w, CaptureChain, $"-d {c} -j RETURN");
        foreach (var ports in portGroups)
            Append(w, CaptureChain, $"-p udp {ports} -j REJECT --reject-with {icmpReject}");
        w.Append("COMMIT\n");
        return new IptablesScript(ipv6 ? "ip6tables" : "iptables", w.ToString(), [new("mangle", "PREROUTING"), new("filter", "FORWARD")]);
    }

    private static void Append(StringBuilder w, string chain, string rule) => w.Append("-A ").Append(chain).Append(' ').Append(rule).Append('\n');
}
