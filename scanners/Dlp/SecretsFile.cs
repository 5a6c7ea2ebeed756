using System.Text;

namespace Pipelock.Scanners.Dlp;

/// <summary>A <c>dlp.secrets_file</c> that breaks the rules (mode too open, too many entries, line too long).</summary>
public sealed class SecretsFileException(string message) : Exception(message);

/// <summary>
/// Loads <c>dlp.secrets_file</c> with Pipelock's rules: one secret per line, <c>#</c> comments, BOM stripped, lines
/// shorter than the minimum skipped, at most 4096 bytes per line and 1000 entries, and a file mode of 0640 or
/// stricter (no group write/exec, no access for others). Called by the config layer; scanners never read files.
/// </summary>
public static class SecretsFile
{
    public const int MaxEntries = 1000;
    public const int MaxLineBytes = 4096;

    public static IReadOnlyList<string> Load(string path, int minLength = 16)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode forbidden = UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & forbidden) != 0)
                throw new SecretsFileException($"secrets_file {path} has mode {Convert.ToString((int)mode, 8)}; must be 0640 or stricter");
        }
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return Parse(reader, minLength);
    }

    public static IReadOnlyList<string> Parse(TextReader reader, int minLength = 16)
    {
        var list = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? line;
        bool first = true;
        while ((line = reader.ReadLine()) is not null)
        {
            if (first) { line = line.TrimStart('\uFEFF'); first = false; }
            if (System.Text.Encoding.UTF8.GetByteCount(line) > MaxLineBytes)
                throw new SecretsFileException($"secrets_file line longer than {MaxLineBytes} bytes");
            var s = line.Trim();
            if (s.Length == 0 || s[0] == '#' || s.Length < minLength) continue;
            if (!seen.Add(s)) continue;
            if (list.Count == MaxEntries) throw new SecretsFileException($"secrets_file has more than {MaxEntries} entries");
            list.Add(s);
        }
        return list;
    }
}
