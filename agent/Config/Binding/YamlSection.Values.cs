using System.Globalization;
using System.Net;
using Pipelock.Scanners.Text;
using Pipelock.Scanners.Verdicts;
using YamlDotNet.RepresentationModel;

namespace Pipelock.Agent.Config.Binding;

/// <summary>Typed scalar and list readers. Each returns the default after reporting an error, so binding goes on.</summary>
internal sealed partial class YamlSection
{
    private bool Scalar(string key, out YamlScalarNode scalar, string expected)
    {
        scalar = null!;
        var node = Node(key);
        if (node is null) return false;
        if (node is YamlScalarNode s) { scalar = s; return true; }
        _ctx.Error(node, Join(key), $"must be {expected}, got {Describe(node)}");
        return false;
    }

    public bool Bool(string key, bool def)
    {
        if (!Scalar(key, out var s, "true or false")) return def;
        // YAML 1.1 spellings are accepted for typed booleans, as Go's yaml.v3 does; quoted strings are not.
        if (!IsQuoted(s))
        {
            switch (s.Value)
            {
                case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON": return true;
                case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF": return false;
            }
        }
        _ctx.Error(s, Join(key), $"{Describe(s)} is not valid; must be true or false");
        return def;
    }

    public long Long(string key, long def, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Scalar(key, out var s, "an integer")) return def;
        if (IsQuoted(s) || !long.TryParse(s.Value, NumberStyles.AllowLeadingSign, Inv, out var v))
        {
            _ctx.Error(s, Join(key), $"{Describe(s)} is not valid; must be an integer");
            return def;
        }
        if (v < min || v > max)
        {
            _ctx.Error(s, Join(key), $"{v} is out of range; must be {RangeText(min, max)}");
            return def;
        }
        return v;
    }

    public int Int(string key, int def, int min = int.MinValue, int max = int.MaxValue) => (int)Long(key, def, min, max);

    public int Port(string key, int def) => Int(key, def, 1, 65535);

    public double Double(string key, double def, double min, double max)
    {
        if (!Scalar(key, out var s, "a number")) return def;
        if (IsQuoted(s) || !double.TryParse(s.Value, NumberStyles.Float, Inv, out var v) || !double.IsFinite(v))
        {
            _ctx.Error(s, Join(key), $"{Describe(s)} is not valid; must be a number");
            return def;
        }
        if (v < min || v > max)
        {
            _ctx.Error(s, Join(key), $"{v.ToString(Inv)} is out of range; must be between {min.ToString(Inv)} and {max.ToString(Inv)}");
            return def;
        }
        return v;
    }

    public string String(string key, string def)
    {
        if (!Scalar(key, out var s, "a string")) return def;
        return s.Value ?? def;
    }

    public string? OptionalString(string key) => Scalar(key, out var s, "a string") ? s.Value : null;

    public string Enum(string key, string def, params string[] allowed)
    {
        if (!Scalar(key, out var s, "a string")) return def;
        if (Array.IndexOf(allowed, s.Value) >= 0) return s.Value!;
        _ctx.Error(s, Join(key), $"\"{s.Value}\" is not valid; must be one of {string.Join(", ", allowed)}");
        return def;
    }

    public ScanAction Action(string key, ScanAction def, params string[] allowed) =>
        Has(key) ? ScanActions.Parse(Enum(key, def.ToWord(), allowed)) : def;

    public Severity Severity(string key, Severity def, params string[] allowed)
    {
        var word = Enum(key, def.ToString().ToLowerInvariant(), allowed);
        return System.Enum.Parse<Severity>(word, ignoreCase: true);
    }

    /// <summary>A regex in RE2 syntax; compiled once here so a bad pattern fails the load, not the first request.</summary>
    public string? Regex(string key, bool required)
    {
        if (!Scalar(key, out var s, "a regular expression"))
        {
            if (required && Node(key) is null) _ctx.Error(KeyNode(key) ?? Anchor, Join(key), "is required");
            return null;
        }
        var pattern = s.Value ?? "";
        if (pattern.Length == 0)
        {
            _ctx.Error(s, Join(key), "must not be empty");
            return null;
        }
        var err = Re2Dialect.Check(pattern) ?? Re2Regex.Validate(pattern);
        if (err is null) return pattern;
        _ctx.Error(s, Join(key), $"invalid regular expression \"{pattern}\": {err}");
        return null;
    }

    public string Required(string key)
    {
        if (Node(key) is null)
        {
            _ctx.Error(KeyNode(key) ?? Anchor, Join(key), "is required");
            return "";
        }
        var v = OptionalString(key);
        if (v is null) return "";
        if (v.Length == 0) _ctx.Error(Node(key), Join(key), "must not be empty");
        return v;
    }

    public TimeSpan Duration(string key, TimeSpan def)
    {
        if (!Scalar(key, out var s, "a duration")) return def;
        if (GoDuration.TryParse(s.Value ?? "", out var d)) return d;
        _ctx.Error(s, Join(key), $"{Describe(s)} is not valid; must be a duration like \"24h\", \"90m\" or \"30s\"");
        return def;
    }

    private IEnumerable<(YamlScalarNode Node, string Path)> ScalarItems(string key)
    {
        var node = Node(key);
        if (node is null) yield break;
        if (node is not YamlSequenceNode seq)
        {
            _ctx.Error(node, Join(key), $"must be a list, got {Describe(node)}");
            yield break;
        }
        int i = 0;
        foreach (var item in seq.Children)
        {
            var path = $"{Join(key)}[{i++}]";
            if (item is YamlScalarNode s && s.Value is not null && !IsNull(s)) yield return (s, path);
            else _ctx.Error(item, path, $"must be a single value, got {Describe(item)}");
        }
    }

    public ValueList<string> StringList(string key, ValueList<string> def) =>
        Node(key) is null ? def : ValueList<string>.From(ScalarItems(key).Select(x => x.Node.Value!).ToList());

    public ValueList<int> IntList(string key, ValueList<int> def, int min, int max)
    {
        if (Node(key) is null) return def;
        var list = new List<int>();
        foreach (var (s, path) in ScalarItems(key))
        {
            if (!IsQuoted(s) && int.TryParse(s.Value, NumberStyles.None, Inv, out var v) && v >= min && v <= max) list.Add(v);
            else _ctx.Error(s, path, $"{Describe(s)} is not valid; must be an integer {RangeText(min, max)}");
        }
        return ValueList<int>.From(list);
    }

    /// <summary>
    /// CIDR list ("10.0.0.0/8", "fd00::/8"). Like Go's ParseCIDR, host bits are tolerated unless
    /// <paramref name="canonical"/> is set (Pipelock requires canonical networks in ssrf.ip_allowlist, where a
    /// typo widens an exemption).
    /// </summary>
    public ValueList<string> CidrList(string key, ValueList<string> def, bool canonical = false)
    {
        if (Node(key) is null) return def;
        var list = new List<string>();
        foreach (var (s, path) in ScalarItems(key))
        {
            var v = s.Value!.Trim();
            int slash = v.IndexOf('/');
            if (slash < 0 || !TryParseStrictIp(v[..slash], out var addr) || !IPNetwork.TryParse(v, out var net))
                _ctx.Error(s, path, $"\"{v}\" is not a valid CIDR; expected e.g. 10.0.0.0/8 or fd00::/8");
            else if (canonical && !addr.Equals(net.BaseAddress))
                _ctx.Error(s, path, $"\"{v}\" has host bits set; write the network as {net}");
            else if (canonical && net.PrefixLength == 0)
                _ctx.Error(s, path, $"\"{v}\" would exempt every address; list specific networks");
            else list.Add(v);
        }
        return ValueList<string>.From(list);
    }

    /// <summary>
    /// Go's net.ParseIP: dotted-quad IPv4 only (.NET also takes "10.0.0", "10.1" and hex/octal parts, which Go
    /// rejects and which would silently mean another network), or IPv6.
    /// </summary>
    internal static bool TryParseStrictIp(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (!text.Contains(':'))
        {
            var parts = text.Split('.');
            if (parts.Length != 4) return false;
            foreach (var p in parts)
                if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0') || int.Parse(p, Inv) > 255) return false;
        }
        if (text.Contains('%') || !IPAddress.TryParse(text, out var parsed)) return false;
        address = parsed;
        return true;
    }

    private static string RangeText(long min, long max) =>
        (min, max) switch
        {
            (long.MinValue, long.MaxValue) => "any integer",
            (_, long.MaxValue) or (_, int.MaxValue) => $">= {min}",
            _ => $"between {min} and {max}",
        };
}
