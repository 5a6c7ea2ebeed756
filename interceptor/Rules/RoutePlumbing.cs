using System.Globalization;

namespace Pipelock.Interceptor.Rules;

/// <summary>
/// Gateway-mode policy routing: packets carrying <see cref="TransparentMarks.Tproxy"/> look up table
/// <see cref="TransparentMarks.RouteTable"/>, whose only route is <c>local default dev lo</c>, so TPROXY'd packets
/// are delivered to the agent's socket instead of being forwarded. One rule and one route per family, added only
/// when absent (the kernel happily stores duplicate rules), and removed precisely: nothing else in the routing
/// policy is touched.
/// </summary>
public static class RoutePlumbing
{
    private static readonly string Mark = "0x" + TransparentMarks.Tproxy.ToString("x", CultureInfo.InvariantCulture);
    private static readonly string Table = TransparentMarks.RouteTable.ToString(CultureInfo.InvariantCulture);

    /// <summary>The families to plumb: "-4", and "-6" when the kernel has IPv6.</summary>
    public static IReadOnlyList<string> Families(bool ipv6) => ipv6 ? ["-4", "-6"] : ["-4"];

    public static string[] ShowRule(string family) => ["ip", family, "rule", "show", "fwmark", Mark, "lookup", Table];
    public static string[] AddRule(string family) => ["ip", family, "rule", "add", "fwmark", Mark, "lookup", Table];
    public static string[] DeleteRule(string family) => ["ip", family, "rule", "del", "fwmark", Mark, "lookup", Table];
    public static string[] ShowRoutes(string family) => ["ip", family, "route", "show", "table", Table];
    public static string[] ReplaceRoute(string family) => ["ip", family, "route", "replace", "local", Default(family), "dev", "lo", "table", Table];
    public static string[] DeleteRoute(string family) => ["ip", family, "route", "del", "local", Default(family), "dev", "lo", "table", Table];

    private static string Default(string family) => family == "-6" ? "::/0" : "0.0.0.0/0";

    /// <summary>Adds the rule where missing and (re)places the local route; safe to run any number of times.</summary>
    public static async Task EnsureAsync(ICommandRunner runner, bool ipv6, CancellationToken cancellationToken)
    {
        foreach (var f in Families(ipv6))
        {
            var rules = await Lines(runner, ShowRule(f), cancellationToken).ConfigureAwait(false);
            if (rules.Count == 0) await Must(runner, AddRule(f), cancellationToken).ConfigureAwait(false);
            await Must(runner, ReplaceRoute(f), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every copy of our rule and our local route; absent pieces are not an error.</summary>
    public static async Task RemoveAsync(ICommandRunner runner, bool ipv6, CancellationToken cancellationToken)
    {
        foreach (var f in Families(ipv6))
        {
            var rules = await Lines(runner, ShowRule(f), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < rules.Count; i++) await Must(runner, DeleteRule(f), cancellationToken).ConfigureAwait(false);
            var routes = await Lines(runner, ShowRoutes(f), cancellationToken).ConfigureAwait(false);
            if (routes.Any(IsOurRoute)) await Must(runner, DeleteRoute(f), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Our ip rules and the routes in our table, as <c>ip</c> prints them, prefixed with the family.</summary>
    public static async Task<(List<string> Rules, List<string> Routes)> ShowAsync(ICommandRunner runner, bool ipv6, CancellationToken cancellationToken)
    {
        var rules = new List<string>();
        var routes = new List<string>();
        foreach (var f in Families(ipv6))
        {
            rules.AddRange((await Lines(runner, ShowRule(f), cancellationToken).ConfigureAwait(false)).Select(l => $"{f} {l}"));
            routes.AddRange((await Lines(runner, ShowRoutes(f), cancellationToken).ConfigureAwait(false)).Select(l => $"{f} {l}"));
        }
        return (rules, routes);
    }

    private static bool IsOurRoute(string line) => line.StartsWith("local default dev lo", StringComparison.Ordinal);

    private static async Task<List<string>> Lines(ICommandRunner runner, string[] argv, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(argv, null, cancellationToken).ConfigureAwait(false);
        // A table that never held a route does not exist for IPv4 ('FIB table does not exist', exit 2): empty.
        if (!r.Ok && r.Stderr.Contains("FIB table does not exist", StringComparison.Ordinal)) return [];
        if (!r.Ok) throw Failure(argv, r);
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    private static async Task Must(ICommandRunner runner, string[] argv, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(argv, null, cancellationToken).ConfigureAwait(false);
        if (!r.Ok) throw Failure(argv, r);
    }

    internal static TransparentRulesException Failure(IReadOnlyList<string> argv, CommandResult r) =>
        new($"{string.Join(' ', argv)} failed (exit {r.ExitCode}): {r.Stderr.Trim()}");
}
