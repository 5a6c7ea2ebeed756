using System.IO.Compression;
using System.Text;
using Pipelock.Scanners.Body;

namespace Pipelock.Agent.Cli;

/// <summary>Opens CLI inputs: <c>-</c> is stdin; gzip is recognised by its magic bytes (so .gz files and gzipped stdin both work).</summary>
internal static class InputFiles
{
    /// <summary>Cap for a single <c>--file</c> scan (JSONL input streams and has only a per-line cap).</summary>
    public const int MaxSingleInputBytes = 64 * 1024 * 1024;

    public static Stream Open(string path, CliEnvironment env)
    {
        Stream raw = path == "-"
            ? env.Stdin()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var head = new byte[2];
        int n = 0;
        while (n < 2)
        {
            int r = raw.Read(head, n, 2 - n);
            if (r == 0) break;
            n += r;
        }
        var stream = new PrefixedStream(head.AsMemory(0, n), raw);
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>Reads a whole (possibly gzipped) input as UTF-8, refusing anything over <see cref="MaxSingleInputBytes"/>.</summary>
    public static string ReadAllText(string path, CliEnvironment env)
    {
        using var s = Open(path, env);
        using var ms = new MemoryStream();
        var buf = new byte[1 << 16];
        int r;
        while ((r = s.Read(buf)) > 0)
        {
            if (ms.Length + r > MaxSingleInputBytes)
                throw new InvalidDataException($"input is larger than {MaxSingleInputBytes / (1024 * 1024)} MiB; use --jsonl for large inputs");
            ms.Write(buf, 0, r);
        }
        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }
}
