using System.Collections.Frozen;
using Pipelock.Scanners.Encoding;

namespace Pipelock.Scanners.Dlp;

/// <summary>Pipelock's <c>extractEnvSecrets</c>: env values long and random enough to be secrets, minus well-known non-secret names.</summary>
public static class EnvSecrets
{
    private static readonly FrozenSet<string> SkipNames = new[]
    {
        "PWD", "OLDPWD", "HOME", "PATH", "TMPDIR", "TEMP", "TMP", "_", "USER", "LOGNAME", "USERNAME", "HOSTNAME", "HOST",
        "SHELL", "SHLVL", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERM_SESSION_ID", "COLORTERM", "COLORFGBG", "LANG",
        "LANGUAGE", "DISPLAY", "WAYLAND_DISPLAY", "EDITOR", "VISUAL", "PAGER", "LESS", "LS_COLORS", "LSCOLORS",
        "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "GOPATH", "GOROOT", "GOBIN", "PYTHONPATH", "PYTHONHOME", "NODE_PATH",
        "MANPATH", "INFOPATH", "PS1", "PS2", "PS3", "PS4", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA",
        "PROGRAMFILES", "PROGRAMFILES(X86)", "COMMONPROGRAMFILES", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT",
        "HOMEDRIVE", "HOMEPATH", "ALLUSERSPROFILE", "PUBLIC", "OS", "PROCESSOR_ARCHITECTURE", "PROCESSOR_IDENTIFIER",
        "NUMBER_OF_PROCESSORS", "COMPUTERNAME", "SESSIONNAME", "LOGONSERVER", "USERDOMAIN", "PSMODULEPATH",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<(string Name, string Value)> Extract(IEnvironmentSource source, int minLength)
    {
        var list = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in source.Read())
        {
            if (SkipNames.Contains(name) || name.StartsWith("LC_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("XDG_", StringComparison.OrdinalIgnoreCase)) continue;
            if (value.Length < Math.Max(1, minLength)) continue;
            if (ShannonEntropy.BitsPerChar(value) <= 3.0) continue;
            if (seen.Add(value)) list.Add((name, value));
        }
        return list;
    }
}
