using System.Globalization;

namespace Pipelock.Agent.Config.Binding;

/// <summary>
/// Parses Go <c>time.ParseDuration</c> syntax ("24h", "1h30m", "1.5s", "250ms"), which is what Pipelock's
/// duration keys accept. Negative durations are rejected: no config key has a meaning for them.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(s)) return false;
        if (s == "0") return true;
        int i = 0;
        if (s[0] == '+') i++;
        if (i >= s.Length) return false;
        double totalTicks = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            int ustart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            double unitTicks = s.AsSpan(ustart, i - ustart) switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (unitTicks < 0) return false;
            totalTicks += n * unitTicks;
            if (totalTicks > TimeSpan.MaxValue.Ticks) return false;
        }
        value = TimeSpan.FromTicks((long)totalTicks);
        return true;
    }

    /// <summary>Formats the way Go prints durations ("24h0m0s" style is avoided: the shortest exact unit form).</summary>
    public static string Format(TimeSpan t)
    {
        if (t == TimeSpan.Zero) return "0s";
        if (t.Ticks % TimeSpan.TicksPerHour == 0) return $"{t.Ticks / TimeSpan.TicksPerHour}h";
        if (t.Ticks % TimeSpan.TicksPerMinute == 0) return $"{t.Ticks / TimeSpan.TicksPerMinute}m";
        if (t.Ticks % TimeSpan.TicksPerSecond == 0) return $"{t.Ticks / TimeSpan.TicksPerSecond}s";
        return $"{t.Ticks / TimeSpan.TicksPerMillisecond}ms";
    }
}
